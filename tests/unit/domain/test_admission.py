"""The provider's own admission to tiers payant, per payer (issue 7, item 8)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from domain.eligibility import EligibilityDecision, EligibilityOutcome
from domain.eligibility import EligibilityStatus as S
from domain.records import Admission, Convention, Requester
from domain.reference import ReferenceData
from domain.rules.admission import tiers_payant_refusals
from domain.services.eligibility import check_eligibility
from domain.services.exchanges import Submission
from tests.unit.domain.test_services_eligibility import IDCS, FakeForm, command, pipeline

pytestmark = pytest.mark.anyio

CNSS_PATIENT = EligibilityDecision(S.OPEN, date(2025, 6, 16), "r", "AMO_SALARIES", "CNSS")
NOBODY = EligibilityDecision(S.NOT_FOUND, date(2025, 6, 16), "r")


class TestTiersPayantRefusals:
    def test_a_provider_admitted_with_the_payer_may_bill_it(self) -> None:
        assert tiers_payant_refusals(CNSS_PATIENT, Admission(("CNOPS", "CNSS"))) == ()

    def test_a_provider_not_admitted_with_the_routed_payer_may_not(self) -> None:
        """A provider is admitted to tiers payant per payer, the `payers` it was registered
        with: a CNOPS-only pharmacy cannot bill the CNSS."""
        refusals = tiers_payant_refusals(CNSS_PATIENT, Admission(("CNOPS",)))
        assert refusals == ("prestataire-non-admis",)

    def test_a_suspended_provider_may_bill_no_payer(self) -> None:
        suspended = Admission(("CNSS",), Convention.SUSPENDED)
        assert tiers_payant_refusals(CNSS_PATIENT, suspended) == ("prestataire-suspendu",)

    def test_a_deconventioned_provider_may_bill_no_payer(self) -> None:
        ended = Admission(("CNSS",), Convention.TERMINATED)
        assert tiers_payant_refusals(CNSS_PATIENT, ended) == ("prestataire-deconventionne",)

    def test_a_suspension_is_said_even_without_a_payer(self) -> None:
        suspended = Admission(("CNSS",), Convention.SUSPENDED)
        assert tiers_payant_refusals(NOBODY, suspended) == ("prestataire-suspendu",)

    def test_no_payer_no_admission_to_check(self) -> None:
        assert tiers_payant_refusals(NOBODY, Admission(())) == ()

    def test_an_admission_not_known_is_not_judged(self) -> None:
        assert tiers_payant_refusals(CNSS_PATIENT, None) == ()


class TestThroughTheUseCase:
    async def answered(
        self, ref: ReferenceData, *admissions: Admission | None
    ) -> list[EligibilityOutcome]:
        """The outcomes rendered for one request per requester admission, in turn."""
        p = pipeline(IDCS)
        rendered: list[EligibilityOutcome] = []
        for admission in admissions:
            form = FakeForm(command(IDCS))
            requester = Requester("prov-1", "client-1", admission)
            await check_eligibility(Submission(requester, form), ref=ref, ports=p.ports)
            rendered += form.rendered
        return rendered

    async def test_the_rights_are_stated_with_the_refusal(self, ref: ReferenceData) -> None:
        (outcome,) = await self.answered(ref, Admission(("CNOPS",)))
        assert outcome.decision.status is S.OPEN and outcome.decision.payer == "CNSS"
        assert outcome.tiers_payant == ("prestataire-non-admis",)

    async def test_the_refusal_is_not_cached_with_the_decision(self, ref: ReferenceData) -> None:
        refused, admitted = await self.answered(ref, Admission(("CNOPS",)), Admission(("CNSS",)))
        assert refused.tiers_payant and not admitted.tiers_payant
        assert admitted.from_cache
        assert dataclasses.replace(admitted, from_cache=False, tiers_payant=()) == (
            dataclasses.replace(refused, tiers_payant=())
        )
