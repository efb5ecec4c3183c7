"""The prises en charge pages' own logic: the Claim the form builds, the list's rows (masked,
overdue), the CSV export and the attestation's checksum."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import orjson

from domain.members import IdentifierKind, PersonIdentifier
from domain.money import Money
from domain.prior_auth import Granted, PaStatus, PriorAuthorization
from domain.records import ExchangeRecord
from fhir_profiles import systems
from gateway.portal import authorizations, pec_request
from gateway.portal.pec_request import LineAsked, PecQuery

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
DAY = date(2026, 11, 30)


def _query(*lines: LineAsked, **more: object) -> PecQuery:
    rows = (*lines, *(LineAsked(),) * (pec_request.LINES - len(lines)))
    return PecQuery(value="1509980368", day=DAY, pa_type="costly-drug", lines=rows, **more)  # type: ignore[arg-type]


class TestClaimBody:
    def test_a_drug_by_its_gtin_the_empty_rows_left_out(self) -> None:
        body = pec_request.claim_body(_query(LineAsked("6111000000045", "4", "5 000,50")), [])
        [item] = body["item"]
        assert item["productOrService"]["coding"] == [
            {"system": "https://www.gs1.org/gtin", "code": "6111000000045"}
        ]
        assert (item["quantity"], item["net"]) == (
            {"value": 4},
            {"value": 5000.5, "currency": "MAD"},
        )
        assert body["use"] == "preauthorization" and body["type"]["coding"][0]["code"] == "pharmacy"
        assert body["subType"]["coding"] == [{"system": systems.CS_PA_TYPE, "code": "costly-drug"}]
        assert "supportingInfo" not in body and "careTeam" not in body

    def test_a_stay_by_its_care_category_with_its_documents(self) -> None:
        query = replace(_query(LineAsked("hospitalisation", "3")), pa_type="hospitalisation",
                        urgent=True, specialty="nephrologie", ald="ALD17")  # fmt: skip
        document = {"contentType": "application/pdf", "data": "JVBERi0=", "size": 5}
        body = pec_request.claim_body(query, [document])
        assert body["item"][0]["productOrService"]["coding"][0]["system"] == (
            systems.CS_CARE_CATEGORY
        )
        assert body["type"]["coding"][0]["code"] == "institutional"
        assert body["priority"]["coding"][0]["code"] == "stat"
        assert body["supportingInfo"][0]["valueAttachment"] == document
        assert body["careTeam"][0]["qualification"]["coding"][0]["code"] == "nephrologie"
        assert body["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] == "ALD17"

    def test_what_is_not_a_number_stays_text_for_the_reader_to_refuse(self) -> None:
        body = pec_request.claim_body(_query(LineAsked("6111000000045", "quatre")), [])
        assert body["item"][0]["quantity"] == {"value": "quatre"}
        assert "item" not in pec_request.claim_body(_query(), [])

    def test_the_form_keeps_its_key_and_a_new_form_gets_another(self) -> None:
        assert PecQuery().key != PecQuery().key
        kept = PecQuery.of({"key": ["k-1"], "date": ["2026-11-30"], "code0": [" 611 "]})
        assert (kept.key, kept.day, kept.lines[0].code, kept.lines[1].empty) == (
            "k-1", DAY, "611", True
        )  # fmt: skip


def _record(status: str, deadline: datetime) -> ExchangeRecord:
    response = {"subType": {"coding": [{"system": systems.CS_PA_TYPE, "code": "hospitalisation"}]},
                "extension": [{"url": systems.EXT_DECISION_DEADLINE,
                               "valueDateTime": deadline.isoformat()}]}  # fmt: skip
    who = (PersonIdentifier(IdentifierKind.IDCS, "1509980368"),)
    return ExchangeRecord("pa-1", "preauthorization", "t", NOW - timedelta(days=3), "claim-1",
                          status, None, who, b"{}", orjson.dumps(response))  # fmt: skip


class TestRows:
    def test_a_late_answer_is_overdue_and_the_patient_masked(self) -> None:
        row = authorizations.row(_record("requested", NOW - timedelta(hours=1)), "fr", NOW)
        assert row.overdue and row.deadline == NOW - timedelta(hours=1)
        assert row.patient == "IDCS ••••••0368" and row.kind == "Hospitalisation"
        assert row.said == "Demande en attente de la décision de l'organisme payeur"

    def test_a_decided_one_has_no_deadline(self) -> None:
        row = authorizations.row(_record("granted", NOW - timedelta(hours=1)), "ar", NOW)
        assert (row.deadline, row.overdue, row.kind) == (None, False, "استشفاء")
        on_time = authorizations.row(_record("requested", NOW + timedelta(hours=1)), "fr", NOW)
        assert not on_time.overdue

    def test_the_csv_opens_in_french_excel(self) -> None:
        rows = [authorizations.row(_record("requested", NOW - timedelta(hours=1)), "fr", NOW)]
        written = authorizations.csv_text(rows, "fr")
        assert written.startswith("\ufeffN° de prise en charge;")
        assert written.splitlines()[1].startswith("pa-1;") and written.endswith(";requested\r\n")


class TestChecksum:
    def test_it_changes_with_what_is_granted_and_with_the_key(self) -> None:
        pa = PriorAuthorization(
            "pa-1", "t", "CNSS", "costly-drug", (), NOW, NOW, status=PaStatus.GRANTED,
            granted=(Granted(1, 4, Money.mad(5000), 4, Money.mad(5000)),),
            valid_from=DAY, valid_until=DAY + timedelta(days=29),
        )  # fmt: skip
        said = authorizations.checksum(pa, b"k")
        assert len(said) == 9 and said[4] == "-"
        assert authorizations.checksum(pa, b"k") == said
        more = replace(pa, granted=(Granted(1, 5, Money.mad(5000), 5, Money.mad(5000)),))
        assert authorizations.checksum(more, b"k") != said
        assert authorizations.checksum(pa, b"other") != said
