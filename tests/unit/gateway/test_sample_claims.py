"""The costly-drug Claims the demo writes and the bench posts: read by the Claim mapping and
granted at once by the rules, with the repository's drug catalog."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.claims import PAYABLE, ClaimHistory, Insured
from domain.eligibility import EligibilityDecision, EligibilityStatus
from domain.reference import ReferenceData
from domain.rules.adjudication import adjudicate
from domain.rules.prior_auth import Verdict, decide_request
from fhir_profiles import claim_billing_in, claim_in
from gateway.commands.sample_claims import claim, order_for, ordinary_drugs, pharmacy_claim

DAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
EPOETIN = "6111000000045"  # ALD17, nephrologists, at most 12 per 30 days
IMATINIB = "6111000000021"  # ALD02 ALD38, oncologists or haematologists


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    """The dataset of the repository's refdata/ files."""
    return load_reference_files(DEFAULT_REFDATA_DIR)


def decided(body: dict[str, object], ald: tuple[str, ...], ref: ReferenceData) -> Verdict:
    """What the rules decide of the Claim for a member with open rights holding these ALD."""
    request = claim_in.to_domain(body, ref=ref, today=DAY).command.request
    rights = EligibilityDecision(EligibilityStatus.OPEN, DAY, ref.version, ald_conditions=ald)
    return decide_request(request, rights, ref, now=NOW).verdict


class TestOrderFor:
    def test_the_first_condition_a_costly_drug_is_listed_for_is_taken(
        self, ref: ReferenceData
    ) -> None:
        order = order_for(["ALD05", "ALD17", "ALD38"], ref, DAY)
        assert order is not None
        assert (order.condition, order.drug.ean13, order.specialty) == (
            "ALD17",
            EPOETIN,
            "nephrologie",
        )

    def test_a_drug_listed_for_several_conditions_is_found_by_any(self, ref: ReferenceData) -> None:
        order = order_for(["ALD02"], ref, DAY)
        assert order is not None and order.drug.ean13 == IMATINIB

    def test_no_order_when_no_costly_drug_is_listed_for_the_conditions(
        self, ref: ReferenceData
    ) -> None:
        assert order_for(["ALD05", "ALC01"], ref, DAY) is None

    def test_no_order_before_the_catalog_is_in_force(self, ref: ReferenceData) -> None:
        assert order_for(["ALD17"], ref, date(2023, 12, 31)) is None


class TestClaim:
    @pytest.mark.parametrize("condition", ["ALD02", "ALD17", "ALD23", "ALD26", "ALD38"])
    def test_it_is_granted_at_once_for_a_member_holding_the_condition(
        self, ref: ReferenceData, condition: str
    ) -> None:
        order = order_for([condition], ref, DAY)
        assert order is not None
        body = claim("1234567890", order, inpe="100200300", created=NOW)
        assert decided(body, (condition,), ref) is Verdict.GRANTED

    def test_it_is_queued_for_a_member_without_the_condition(self, ref: ReferenceData) -> None:
        order = order_for(["ALD17"], ref, DAY)
        assert order is not None
        body = claim("1234567890", order, inpe="100200300", created=NOW)
        assert decided(body, ("ALD38",), ref) is Verdict.QUEUED

    def test_beyond_the_maximum_quantity_it_is_queued(self, ref: ReferenceData) -> None:
        order = order_for(["ALD17"], ref, DAY)
        assert order is not None
        over = order.drug.max_quantity + 1
        body = claim("1234567890", order, inpe="100200300", created=NOW, quantity=over)
        assert decided(body, ("ALD17",), ref) is Verdict.QUEUED

    def test_it_asks_the_public_price_of_the_boxes(self, ref: ReferenceData) -> None:
        order = order_for(["ALD17"], ref, DAY)
        assert order is not None
        body = claim("1234567890", order, inpe="100200300", created=NOW, quantity=3)
        request = claim_in.to_domain(body, ref=ref, today=DAY).command.request
        assert request.lines[0].amount.centimes == order.drug.ppv_centimes * 3
        assert request.date_of_care == DAY  # none written: the day it is read


class TestPharmacyClaim:
    """The bills `make bench` posts: ordinary drugs, read as an ambulatory claim with the
    documents it requires, every line paid by the rules."""

    def bill(self, ref: ReferenceData) -> claim_billing_in.ClaimIn:
        drugs = ordinary_drugs(ref, DAY, ["AMO_SALARIES"])[:3]
        documents = [d.document for d in ref.required_documents("CNSS", "ambulatory", DAY)]
        body = pharmacy_claim(
            "1234567890", drugs, claim_id="B-1", inpe="300400500", created=NOW, documents=documents
        )
        return claim_billing_in.to_domain(body, ref=ref, today=DAY)

    def test_ordinary_drugs_are_neither_costly_nor_under_prise_en_charge(
        self, ref: ReferenceData
    ) -> None:
        drugs = ordinary_drugs(ref, DAY, ["AMO_SALARIES", "AMO_PUBLIC"])
        assert len(drugs) >= 3
        assert all(d.reimbursable and not d.costly for d in drugs)

    def test_the_bill_is_ambulatory_with_its_documents(self, ref: ReferenceData) -> None:
        parsed = self.bill(ref)
        assert (parsed.claim_id, parsed.claim_type, len(parsed.lines)) == ("B-1", "ambulatory", 3)
        assert all(line.documents == {"feuille-de-soins"} for line in parsed.lines)

    def test_every_line_is_paid(self, ref: ReferenceData) -> None:
        parsed = self.bill(ref)
        ctx = claim_billing_in.ClaimContext(
            "pharmacie-1", "pharmacy", "CNSS", True, Insured("m-1", "AMO_SALARIES")
        )
        result = adjudicate(claim_billing_in.command(parsed, ctx), ClaimHistory(), ref)
        assert all(line.status in PAYABLE for line in result.lines), result.lines
        assert all(
            line.benefit.centimes > 0 and not line.missing_documents for line in result.lines
        )
