"""The money pages' reading: the filters a page's parameters give, a stored claim's answer
as the claims page shows it, reasons and next steps in the person's language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson

from domain.money import Money
from domain.records import ExchangeRecord
from fhir_profiles import messages, systems
from gateway.portal import claims
from gateway.portal.payments import PaymentsQuery


class TestPaymentsQuery:
    def test_what_cannot_be_read_is_left_out(self) -> None:
        query = PaymentsQuery.of({"state": "lost", "payer": "X", "from": "30/11", "to": ""})
        assert query == PaymentsQuery()

    def test_the_filters_kept_and_a_page_changed(self) -> None:
        query = PaymentsQuery.of({"state": "overdue", "payer": "CNOPS", "from": "2026-11-01",
                                  "to": "2026-11-30", "page": "abc"})  # fmt: skip
        assert (query.state, query.payer, query.since, query.until, query.page) == (
            "overdue", "CNOPS", date(2026, 11, 1), date(2026, 11, 30), "abc"
        )  # fmt: skip
        assert query.link(page="next", state=None) == {
            "payer": "CNOPS", "from": "2026-11-01", "to": "2026-11-30", "page": "next"
        }  # fmt: skip


def _share(name: str, value: float, reason: str | None = None) -> dict[str, object]:
    system = systems.CS_ADJUDICATION if name == "complementary" else systems.HL7_ADJUDICATION
    found: dict[str, object] = {"category": {"coding": [{"system": system, "code": name}]},
                                "amount": {"value": value, "currency": "MAD"}}  # fmt: skip
    if reason:
        found["reason"] = {"coding": [{"system": systems.CS_REASON, "code": reason}]}
    return found


def _record(response: dict[str, object]) -> ExchangeRecord:
    claim = {"resourceType": "Claim", "identifier": [{"value": "FACT-9"}]}
    at = datetime(2026, 11, 30, tzinfo=UTC)
    return ExchangeRecord("resp-1", "claim", "t1", at, "claim-1", "payable", None, (),
                          orjson.dumps(claim), orjson.dumps(response))  # fmt: skip


RESPONSE = {
    "resourceType": "ClaimResponse",
    "use": "claim",
    "item": [{
        "extension": [{"url": systems.EXT_LINE_STATUS, "valueCode": "reduced"}],
        "itemSequence": 1,
        "adjudication": [_share("submitted", 71), _share("eligpercent", 0),
                         _share("benefit", 24.85, "quantite-au-dela-prescription"),
                         _share("copay", 46.15), _share("complementary", 0)],
    }],
    "total": [_share("submitted", 71), _share("benefit", 24.85), _share("copay", 46.15)],
}  # fmt: skip


class TestClaimRow:
    def test_the_shares_status_and_reasons_of_each_line(self) -> None:
        row = claims.row(_record(RESPONSE), "fr")
        assert (row.id, row.response, row.status, row.use) == ("FACT-9", "resp-1", "payable",
                                                              "claim")  # fmt: skip
        assert row.totals == {"billed": Money(7100), "ro": Money(2485), "patient": Money(4615)}
        (line,) = row.lines
        assert line.status == "reduced"
        assert line.shares == {"billed": Money(7100), "ro": Money(2485), "patient": Money(4615),
                               "rc": Money(0)}  # fmt: skip
        (said,) = line.reasons
        assert said["code"] == "quantite-au-dela-prescription"
        assert said["label"] == messages.label("quantite-au-dela-prescription", "fr")
        assert said["step"] == messages.wording("fr").billing_steps["quantite-au-dela-prescription"]

    def test_reasons_and_steps_in_arabic(self) -> None:
        (line,) = claims.row(_record(RESPONSE), "ar").lines
        (said,) = line.reasons
        assert said["label"] == messages.label("quantite-au-dela-prescription", "ar")
        assert said["step"] == messages.wording("ar").billing_steps["quantite-au-dela-prescription"]
        assert said["step"] != messages.wording("fr").billing_steps["quantite-au-dela-prescription"]

    def test_a_reason_without_a_step_has_its_label_only(self) -> None:
        said = claims.reason("droits-non-ouverts", "en")
        label = messages.label("droits-non-ouverts", "en")
        assert said == {"code": "droits-non-ouverts", "label": label, "step": ""}
