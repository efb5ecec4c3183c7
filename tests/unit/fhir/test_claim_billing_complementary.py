"""The patient's complementary cover (RC) read from a claim's insurance entries, in every way a
client may name its organisation, and what the adjudication makes of it."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.claims import ClaimHistory, Insured
from domain.errors import DomainError
from domain.money import Money
from domain.reference import ReferenceData
from domain.rules.adjudication import adjudicate
from fhir_profiles import claim_billing_in, systems
from tests.unit.fhir.envelopes import collection
from tests.unit.fhir.test_claim_billing import claim, ngap_item, read

Json = dict[str, Any]
AMO: Json = {"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}
MGPAP: Json = {"system": systems.COMPLEMENTARY, "value": "MGPAP"}


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference_files(DEFAULT_REFDATA_DIR)


def second(coverage: Json, **changes: Any) -> Json:
    return {"sequence": 2, "focal": False, "coverage": coverage, **changes}


def with_rc(*entries: Json, **changes: Any) -> Json:
    """A specialist's consultation with its feuille de soins, the AMO and these entries."""
    sheet = [{"sequence": 1, "category": {"text": "pièce"}, "code": {"coding": [
        {"system": systems.CS_CLAIM_DOCUMENT, "code": "feuille-de-soins"}]}}]  # fmt: skip
    return claim(ngap_item(1), insurance=[AMO, *entries], supportingInfo=sheet, **changes)


def member_number(assigner: Json | None = None) -> Json:
    """The member's number at the mutuelle, in the mutuelle's own system."""
    ident: Json = {"system": "urn:oid:2.16.504.9.1", "value": "MG-0012345"}
    if assigner is not None:
        ident["assigner"] = assigner
    return {"type": "Coverage", "identifier": ident}


class TestNamedComplementary:
    def test_by_the_assigner_of_the_member_s_number(self, ref: ReferenceData) -> None:
        body = with_rc(second(member_number({"identifier": MGPAP})))
        assert read(body, ref).complementary == "MGPAP"

    def test_by_the_coverage_identifier_itself(self, ref: ReferenceData) -> None:
        assert read(with_rc(second({"identifier": MGPAP})), ref).complementary == "MGPAP"

    def test_by_a_contained_coverage_s_payor(self, ref: ReferenceData) -> None:
        coverage = {
            "resourceType": "Coverage", "id": "rc", "status": "active",
            "beneficiary": {"reference": "Patient/12"}, "payor": [{"identifier": MGPAP}],
        }  # fmt: skip
        body = with_rc(second({"reference": "#rc"}), contained=[coverage])
        assert read(body, ref).complementary == "MGPAP"

    def test_by_a_bundle_coverage_whose_payor_is_an_organization(self, ref: ReferenceData) -> None:
        """As Da Vinci PAS and NPHIES write it: Coverage and Organization entries."""
        org = {"resourceType": "Organization", "id": "mgpap", "identifier": [MGPAP]}
        coverage = {
            "resourceType": "Coverage", "id": "rc", "status": "active",
            "beneficiary": {"reference": "Patient/12"},
            "payor": [{"reference": "Organization/mgpap"}],
        }  # fmt: skip
        body = collection(with_rc(second({"reference": "Coverage/rc"})), coverage, org)
        assert read(body, ref).complementary == "MGPAP"

    def test_the_first_by_sequence_after_the_amo(self, ref: ReferenceData) -> None:
        omfam = {"system": systems.COMPLEMENTARY, "value": "OMFAM"}
        entries = (
            {"sequence": 3, "focal": False, "coverage": {"identifier": omfam}},
            second({"identifier": MGPAP}),
        )
        assert read(with_rc(*entries), ref).complementary == "MGPAP"

    def test_only_the_amo_names_no_complementary(self, ref: ReferenceData) -> None:
        assert read(with_rc(), ref).complementary is None

    def test_a_cover_of_no_system_of_ours_is_named_but_unidentified(
        self, ref: ReferenceData
    ) -> None:
        assert read(with_rc(second({"display": "Assurance privée"})), ref).complementary == ""
        assert read(with_rc(second(member_number())), ref).complementary == ""

    def test_an_identifier_of_ours_without_value_is_refused(self, ref: ReferenceData) -> None:
        body = with_rc(second({"identifier": {"system": systems.COMPLEMENTARY}}))
        with pytest.raises(DomainError) as caught:
            read(body, ref)
        assert (caught.value.code, caught.value.expression) == (
            "ressource-invalide", "Claim.insurance[1].coverage.identifier.value",
        )  # fmt: skip

    def test_a_coverage_reference_to_another_resource_is_refused(self, ref: ReferenceData) -> None:
        other = {"resourceType": "Organization", "id": "rc", "identifier": [MGPAP]}
        body = with_rc(second({"reference": "#rc"}), contained=[other])
        with pytest.raises(DomainError) as caught:
            read(body, ref)
        assert caught.value.code == "ressource-invalide"


class TestAdjudicated:
    def cmd(self, body: Json, ref: ReferenceData):  # type: ignore[no-untyped-def]
        parsed = read(body, ref)
        ctx = claim_billing_in.ClaimContext(
            "cabinet-1", "specialist", "CNOPS", True, Insured("m-1", "AMO_PUBLIC")
        )
        return claim_billing_in.command(parsed, ctx)

    def test_a_cnops_member_s_mutuelle_pays_its_share(self, ref: ReferenceData) -> None:
        """Cs billed 200 (2006 TNR 150 [C]) at 80 %: RO 120, MGPAP 15 [U], patient 65."""
        body = with_rc(second(member_number({"identifier": MGPAP})))
        [line] = adjudicate(self.cmd(body, ref), ClaimHistory(), ref).lines
        assert (line.benefit, line.complementary, line.patient) == (
            Money.mad(120), Money.mad(15), Money.mad(65),
        )  # fmt: skip

    def test_an_unknown_organisation_is_a_warning(self, ref: ReferenceData) -> None:
        unknown = {"system": systems.COMPLEMENTARY, "value": "MUTUELLE-X"}
        [line] = adjudicate(
            self.cmd(with_rc(second({"identifier": unknown})), ref), ClaimHistory(), ref
        ).lines
        assert line.complementary == Money(0)
        assert line.reasons == ("depassement-tarif", "complementaire-inconnue")
