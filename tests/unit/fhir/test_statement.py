"""The statement's Parameters and CSV lines, from the domain's clock, at their edges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import orjson

from domain.money import Money
from domain.payment_clock import AcceptedClaim, clock
from domain.records import ExchangeRecord
from domain.services.statement import Cursor, StatementPage
from fhir_profiles.statement import from_domain, rejection, rejections
from gateway import statement_csv
from tests.fhir_schema import assert_valid_r4

AT = datetime(2026, 7, 1, 9, tzinfo=UTC)
TODAY = date(2026, 8, 10)
DUE = AcceptedClaim("org-ph:F-1", "CNSS", "org-ph", Money(490_050), AT, date(2026, 7, 31))
PAID = AcceptedClaim("org-ph:F-2", "CNSS", "org-ph", Money(100), AT, None, AT, "payment:V-1")
ANSWER = {
    "resourceType": "ClaimResponse",
    "use": "claim",
    "item": [{"itemSequence": 1, "adjudication": [
        {"category": {}, "reason": {"coding": [{"code": "accord-prealable-requis",
                                                 "display": "Prise en charge préalable requise"}]}},
    ]}],
}  # fmt: skip
REJECTED = ExchangeRecord(
    "resp-1", "claim", "org-ph", AT, "req-1", "not-payable", None, (),
    orjson.dumps({"resourceType": "Claim", "identifier": [{"value": "F-3"}]}),
    orjson.dumps(ANSWER),
)  # fmt: skip


class TestParameters:
    def test_every_kind_of_line_is_valid_r4(self) -> None:
        page = StatementPage(TODAY, (clock(DUE, TODAY), clock(PAID, TODAY)), (REJECTED,), Cursor())
        body = from_domain(
            page, next_url="https://gw.example/fhir/ClaimResponse/$statement?_page=x"
        )
        assert_valid_r4(body)
        names = [p["name"] for p in body["parameter"]]
        assert names == ["date", "line", "line", "line", "next"]

    def test_an_overdue_line_says_by_how_much_and_its_band(self) -> None:
        body = from_domain(StatementPage(TODAY, (clock(DUE, TODAY),)), next_url=None)
        parts = {p["name"]: p for p in body["parameter"][1]["part"]}
        assert parts["state"]["valueCode"] == "overdue"
        assert (parts["overdue"]["valueInteger"], parts["bucket"]["valueString"]) == (10, "0-30")
        assert parts["amount"]["valueMoney"] == {"value": 4900.5, "currency": "MAD"}

    def test_a_rejected_claim_is_named_by_its_business_identifier(self) -> None:
        found = rejection(REJECTED)
        assert (found.claim_id, found.response_id) == ("F-3", "resp-1")
        assert found.reasons == (("accord-prealable-requis", "Prise en charge préalable requise"),)

    def test_a_counter_check_with_nothing_payable_is_no_rejected_claim(self) -> None:
        check = replace(REJECTED, response_body=orjson.dumps({**ANSWER, "use": "predetermination"}))
        assert [r.response_id for r in rejections([check, REJECTED])] == ["resp-1"]

    def test_a_stored_request_without_identifier_falls_back_on_its_id(self) -> None:
        odd = ExchangeRecord("r", "claim", "t", AT, "req-9", "not-payable", None, (), b"[]", b"{}")
        assert rejection(odd).claim_id == "req-9"


class TestCsv:
    def test_amounts_have_two_decimals_and_a_decimal_comma(self) -> None:
        assert statement_csv.amount(Money(490_050)) == "4900,50"
        assert statement_csv.amount(Money(100)) == "1,00"
        assert statement_csv.amount(Money(0)) == "0,00"

    def test_the_header_starts_with_the_bom(self) -> None:
        assert statement_csv.header().startswith("\ufeffDemande;État;")

    def test_a_paid_line_names_its_transfer(self) -> None:
        row = statement_csv.accepted_rows([clock(PAID, TODAY)]).rstrip("\r\n").split(";")
        assert (row[0], row[1], row[3], row[10]) == ("F-2", "payée", "1,00", "payment:V-1")
