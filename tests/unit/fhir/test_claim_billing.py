"""The claim mapping (use claim / predetermination): lines read by kind, boundaries with their
codes and FHIRPaths, and ClaimResponses valid against the R4 schema."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.claims import (
    Adjudication,
    ClaimUse,
    CodeKind,
    Insured,
    LineResult,
    LineStatus,
)
from domain.errors import DomainError
from domain.money import ZERO, Money
from domain.reference import ReferenceData
from fhir_profiles import claim_billing_in, claim_billing_out, claim_in, messages, r4, systems
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.claims import TRASTUZUMAB, bare_claim, drug_item, foreign_item

Json = dict[str, Any]
TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference_files(DEFAULT_REFDATA_DIR)


def ngap_item(sequence: int, letter: str = "Cs", factor: float | None = None) -> Json:
    item: Json = {
        "sequence": sequence,
        "productOrService": {"coding": [{"system": systems.CS_NGAP, "code": letter}]},
        "servicedDate": "2026-03-01",
        "net": {"value": 200, "currency": "MAD"},
    }
    if factor is not None:
        item["factor"] = factor
    return item


def claim(*items: Json, **changes: Any) -> Json:
    body = bare_claim(use="claim", item=list(items) or [drug_item()], **changes)
    body["identifier"] = [{"system": "urn:oid:2.16.504.1.1", "value": "FACT-2026-0001"}]
    return body


def read(body: Json, ref: ReferenceData) -> claim_billing_in.ClaimIn:
    return claim_billing_in.to_domain(body, ref=ref, today=TODAY)


def refused(body: Json, ref: ReferenceData) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as caught:
        read(body, ref)
    return caught.value.code, caught.value.expression


class TestReadLines:
    def test_a_costly_drug_by_gtin_with_its_pa_reference(self, ref: ReferenceData) -> None:
        insurance = [{"sequence": 1, "focal": True, "coverage": {"display": "AMO"},
                      "preAuthRef": ["PEC-42"]}]  # fmt: skip
        parsed = read(claim(insurance=insurance), ref)
        (line,) = parsed.lines
        assert (line.kind, line.code, line.quantity, line.billed) == (
            CodeKind.DRUG, TRASTUZUMAB, 2, Money.mad(30400),
        )  # fmt: skip
        assert line.pa_reference == "PEC-42" and parsed.claim_type == "costly-drug"
        assert parsed.claim_id == "FACT-2026-0001" and parsed.use is ClaimUse.CLAIM

    def test_an_ngap_act_carries_its_coefficient_in_factor(self, ref: ReferenceData) -> None:
        (line,) = read(claim(ngap_item(1, "K", 50)), ref).lines
        assert (line.kind, line.code, line.coefficient, line.category) == (
            CodeKind.NGAP, "K", Decimal(50), "consultation",
        )  # fmt: skip
        assert line.service_date == date(2026, 3, 1)

    def test_an_item_extension_links_the_line_to_an_ald(self, ref: ReferenceData) -> None:
        item = ngap_item(1)
        item["extension"] = [{"url": systems.EXT_ALD, "valueCodeableConcept": {
            "coding": [{"system": systems.CS_ALD, "code": "ALD12"}]}}]  # fmt: skip
        assert read(claim(item), ref).lines[0].ald_condition == "ALD12"

    def test_documents_come_from_supporting_info(self, ref: ReferenceData) -> None:
        info = [{"sequence": 1, "category": {"text": "pièce"},
                 "code": {"coding": [{"system": systems.CS_CLAIM_DOCUMENT,
                                      "code": "ordonnance"}]}}]  # fmt: skip
        line = read(claim(supportingInfo=info), ref).lines[0]
        assert line.documents == frozenset({"ordonnance"})

    def test_foreign_items_are_kept_apart(self, ref: ReferenceData) -> None:
        parsed = read(claim(ngap_item(1), foreign_item(2)), ref)
        assert [line.sequence for line in parsed.lines] == [1] and parsed.foreign == (2,)

    def test_a_correction_names_the_claim_it_corrects(self, ref: ReferenceData) -> None:
        related = [{"claim": {"identifier": {"system": "urn:x", "value": "FACT-1"}}}]
        assert read(claim(related=related), ref).related_claim == "FACT-1"

    def test_the_command_takes_what_fhir_does_not_carry(self, ref: ReferenceData) -> None:
        parsed = read(claim(), ref)
        ctx = claim_billing_in.ClaimContext(
            "pharmacie-1", "pharmacy", "CNSS", True, Insured("m-1", "AMO-CNSS"),
            pa_valid=frozenset({1}), prescribed={1: 2},
        )  # fmt: skip
        cmd = claim_billing_in.command(parsed, ctx)
        assert cmd.lines[0].pa_valid and cmd.lines[0].prescribed_quantity == 2
        assert (cmd.payer, cmd.claim_type, cmd.filed_on) == ("CNSS", "costly-drug", TODAY)


class TestBoundaries:
    def test_a_nabm_act_without_b_units(self, ref: ReferenceData) -> None:
        item = ngap_item(1)
        item["productOrService"]["coding"][0] = {"system": systems.CS_NABM, "code": "0123"}
        assert refused(claim(item), ref) == ("requete-invalide", "Claim.item[0].factor")

    def test_an_unknown_key_letter(self, ref: ReferenceData) -> None:
        assert refused(claim(ngap_item(1, "QQ")), ref) == (
            "code-inconnu", "Claim.item[0].productOrService.coding[0].code",
        )  # fmt: skip

    def test_another_currency(self, ref: ReferenceData) -> None:
        item = ngap_item(1)
        item["net"]["currency"] = "EUR"
        assert refused(claim(item), ref) == (
            "devise-non-prise-en-charge", "Claim.item[0].net.currency",
        )  # fmt: skip

    def test_a_preauthorization_is_not_read_here(self, ref: ReferenceData) -> None:
        assert refused(bare_claim(), ref) == ("usage-non-pris-en-charge", "Claim.use")

    def test_the_prior_authorization_reader_still_refuses_a_claim(self, ref: ReferenceData) -> None:
        with pytest.raises(DomainError) as caught:
            claim_in.to_domain(claim(), ref=ref, today=TODAY)
        assert caught.value.code == "usage-non-pris-en-charge"


def result(sequence: int, status: LineStatus = LineStatus.ACCEPTED, **changes: Any) -> LineResult:
    fields: dict[str, Any] = dict(
        sequence=sequence, status=status, submitted=Money.mad(200), eligible=Money.mad(150),
        benefit=Money.mad(120), complementary=ZERO, patient=Money.mad(80),
        above_tariff=Money.mad(50), rate=Decimal("0.8"), ald_exempt=False,
        reasons=("depassement-tarif",), missing_documents=(), reference_version="v1",
    )  # fmt: skip
    fields.update(changes)
    return LineResult(**fields)


def answer(parsed: claim_billing_in.ClaimIn, *lines: LineResult, paid_on: date | None) -> Json:
    adjudication = Adjudication(parsed.claim_id, parsed.use, lines, paid_on, "v1")
    return claim_billing_out.from_domain(parsed, adjudication, response_id="cr-1", created=NOW)


def category(adjudication: Json) -> str:
    return str(adjudication["category"]["coding"][0]["code"])


class TestClaimResponse:
    def test_a_reduced_consultation_is_valid_r4(self, ref: ReferenceData) -> None:
        parsed = read(claim(ngap_item(1)), ref)
        response = answer(parsed, result(1, LineStatus.REDUCED), paid_on=date(2026, 4, 1))
        assert_valid_r4(response)
        r4.parse(response)
        item = response["item"][0]
        assert [category(a) for a in item["adjudication"]] == [
            "submitted", "eligible", "eligpercent", "benefit", "copay", "complementary",
            "above-tariff",
        ]  # fmt: skip
        assert item["adjudication"][3]["amount"] == {"value": 120, "currency": "MAD"}
        assert item["adjudication"][3]["reason"]["coding"][0]["code"] == "depassement-tarif"
        assert response["payment"]["date"] == "2026-04-01"
        assert response["outcome"] == "complete"

    def test_foreign_items_answer_code_hors_nomenclature(self, ref: ReferenceData) -> None:
        parsed = read(claim(ngap_item(1), foreign_item(2)), ref)
        response = answer(parsed, result(1), paid_on=date(2026, 4, 1))
        assert_valid_r4(response)
        foreign = response["item"][1]
        assert foreign["adjudication"][0]["reason"]["coding"][0]["code"] == "code-hors-nomenclature"

    def test_nothing_payable_is_still_complete_without_payment(self, ref: ReferenceData) -> None:
        parsed = read(claim(ngap_item(1)), ref)
        line = result(1, LineStatus.REJECTED, benefit=ZERO, reasons=("doublon",))
        response = answer(parsed, line, paid_on=None)
        assert_valid_r4(response)
        assert response["outcome"] == "complete" and "payment" not in response

    @pytest.mark.parametrize(
        ("reason", "step"),
        [
            ("doublon", "annulez-la (Task cancel) ou remplacez-la par une demande qui la cite"),
            ("ordonnance-deja-servie", "Vérifiez la référence de l'ordonnance"),
            ("renouvellement-premature", "à partir du jour où il prend fin"),
            ("plafond-atteint", "à la charge du patient ou de sa complémentaire"),
        ],
    )
    def test_a_line_refused_by_the_patient_s_history_says_what_to_do(
        self, ref: ReferenceData, reason: str, step: str
    ) -> None:
        parsed = read(claim(ngap_item(1)), ref)
        line = result(1, LineStatus.REJECTED, benefit=ZERO, reasons=(reason,))
        [note] = answer(parsed, line, paid_on=None)["processNote"]
        label = messages.label(reason)
        assert note["text"].startswith(f"{label}. ") and step in note["text"]

    def test_missing_documents_leave_the_answer_partial(self, ref: ReferenceData) -> None:
        parsed = read(claim(ngap_item(1)), ref)
        line = result(1, LineStatus.INCOMPLETE, reasons=("pieces-manquantes",))
        response = answer(parsed, line, paid_on=None)
        assert_valid_r4(response)
        assert response["outcome"] == "partial"
        assert "pièces manquantes" in response["processNote"][0]["text"]


class TestPublished:
    def test_billing_code_systems_are_published(self, ref: ReferenceData) -> None:
        from fhir_profiles import terminology

        found = {cs["id"]: cs for cs in terminology.code_systems(ref)}
        codes = {rid: {c["code"] for c in found[rid]["concept"]} for rid in found}
        assert {"C", "Cs", "K", "B"} <= codes["ngap"]
        assert "CAESAREAN" in codes["flat-fee"] and "MED-DAY" in codes["day-rate"]
        assert codes["adjudication"] == {"complementary", "above-tariff", "ald-exemption"}
        assert found["ngap"]["url"] == systems.CS_NGAP
