"""What the rules decide of a prise en charge by themselves (DOMAIN.md, "Prior authorization").

Sources: CNOPS answers a costly-drug PEC within 48 h and the CNSS costly-drug attestation is
valid one month (refdata/pa_types.csv, C); urgent admissions can be regularised after the
fact. The drugs are those of the synthetic demo catalog (refdata/drugs.csv).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.eligibility import EligibilityDecision, EligibilityStatus
from domain.errors import UnknownCode
from domain.money import Money
from domain.prior_auth import PaLine
from domain.reference import ReferenceData
from domain.rules.prior_auth import PaRequest, Verdict, decide_request

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
TRASTUZUMAB = "6111000000014"  # costly, ALD38, at most 6 per 30 days, oncologists
SOFOSBUVIR = "6111000000038"  # costly, ALD23, hepato-gastroenterology or internal medicine
INSULIN = "6111000000069"  # reimbursable, not on the costly list


def line(code: str = TRASTUZUMAB, quantity: int = 6, sequence: int = 1) -> PaLine:
    """One line of a request."""
    return PaLine(sequence, code, "costly-drug", quantity, Money.mad("15200").times(quantity))


def rights(
    status: EligibilityStatus = EligibilityStatus.OPEN, ald: tuple[str, ...] = ("ALD38",)
) -> EligibilityDecision:
    """A member's rights on DAY, holding these ALD/ALC."""
    return EligibilityDecision(status, DAY, "ref", ald_conditions=ald)


def costly(*lines: PaLine, specialty: str | None = "oncologie") -> PaRequest:
    """A costly-drug request for DAY."""
    return PaRequest("costly-drug", lines or (line(),), DAY, prescriber_specialty=specialty)


class TestCostlyDrugs:
    def test_everything_in_the_rules_is_granted_at_once_for_a_month(
        self, ref: ReferenceData
    ) -> None:
        decided = decide_request(costly(), rights(), ref, now=NOW)
        assert (decided.verdict, decided.reasons) == (Verdict.GRANTED, ("accord-automatique",))
        assert (decided.valid_from, decided.valid_until) == (DAY, DAY + timedelta(days=29))
        assert decided.deadline == NOW + timedelta(hours=48)
        assert decided.rules_version == ref.version

    def test_the_maximum_quantity_itself_is_granted_one_more_is_queued(
        self, ref: ReferenceData
    ) -> None:
        assert decide_request(costly(line(quantity=6)), rights(), ref, now=NOW).verdict is (
            Verdict.GRANTED
        )
        over = decide_request(costly(line(quantity=7)), rights(), ref, now=NOW)
        assert (over.verdict, over.reasons) == (Verdict.QUEUED, ("quantite-au-dela-du-plafond",))
        assert over.valid_from is None and over.valid_until is None

    def test_without_the_indicated_ald_it_is_queued(self, ref: ReferenceData) -> None:
        decided = decide_request(costly(), rights(ald=("ALD23",)), ref, now=NOW)
        assert (decided.verdict, decided.reasons) == (
            Verdict.QUEUED,
            ("indication-non-couverte",),
        )

    def test_a_prescriber_of_another_specialty_is_queued(self, ref: ReferenceData) -> None:
        for specialty in ("cardiologie", None):
            decided = decide_request(costly(specialty=specialty), rights(), ref, now=NOW)
            assert decided.reasons == ("specialite-non-autorisee",)

    def test_any_of_the_allowed_specialties_will_do(self, ref: ReferenceData) -> None:
        request = costly(line(SOFOSBUVIR, 1), specialty="medecine-interne")
        assert decide_request(request, rights(ald=("ALD23",)), ref, now=NOW).verdict is (
            Verdict.GRANTED
        )

    def test_a_drug_off_the_costly_list_or_unknown_is_queued(self, ref: ReferenceData) -> None:
        for code in (INSULIN, "6111000000991"):
            decided = decide_request(costly(line(code, 1)), rights(), ref, now=NOW)
            assert decided.reasons == ("hors-liste-medicaments-couteux",)

    def test_every_line_must_pass_and_each_reason_is_said_once(self, ref: ReferenceData) -> None:
        request = costly(line(quantity=7), line(INSULIN, 1, 2), line(quantity=9, sequence=3))
        decided = decide_request(request, rights(), ref, now=NOW)
        assert decided.verdict is Verdict.QUEUED
        assert decided.reasons == ("quantite-au-dela-du-plafond", "hors-liste-medicaments-couteux")

    def test_a_suspended_member_keeps_costly_care_for_an_ald(self, ref: ReferenceData) -> None:
        suspended = rights(EligibilityStatus.SUSPENDED)
        assert decide_request(costly(), suspended, ref, now=NOW).verdict is Verdict.GRANTED

    def test_a_drug_not_yet_listed_on_the_date_of_care_is_queued(self, ref: ReferenceData) -> None:
        early = replace(costly(), date_of_care=date(2023, 12, 31))
        assert decide_request(early, rights(), ref, now=NOW).reasons == (
            "hors-liste-medicaments-couteux",
        )


class TestNotCovered:
    @pytest.mark.parametrize(
        "status",
        [
            EligibilityStatus.NOT_FOUND,
            EligibilityStatus.WAITING_PERIOD,
            EligibilityStatus.DOUBLE_AFFILIATION,
        ],
    )
    def test_never_granted_to_a_person_not_covered(
        self, ref: ReferenceData, status: EligibilityStatus
    ) -> None:
        urgent = PaRequest("hospitalisation", (line(),), DAY, urgent=True)
        for request in (costly(), urgent):
            decided = decide_request(request, rights(status), ref, now=NOW)
            assert (decided.verdict, decided.reasons) == (
                Verdict.REFUSED,
                ("droits-non-ouverts",),
            )
            assert decided.valid_from is None

    def test_maintained_rights_are_rights(self, ref: ReferenceData) -> None:
        maintained = rights(EligibilityStatus.MAINTAINED)
        assert decide_request(costly(), maintained, ref, now=NOW).verdict is Verdict.GRANTED


class TestOtherKinds:
    def test_an_urgent_admission_is_granted_provisionally(self, ref: ReferenceData) -> None:
        urgent = PaRequest("hospitalisation", (line(),), DAY, urgent=True)
        decided = decide_request(urgent, rights(), ref, now=NOW)
        assert (decided.verdict, decided.reasons) == (Verdict.PROVISIONAL, ("admission-urgente",))
        assert (decided.valid_from, decided.valid_until) == (DAY, DAY + timedelta(days=29))

    def test_a_provisional_grant_is_due_for_regularisation_not_for_an_answer(
        self, ref: ReferenceData
    ) -> None:
        kinds = tuple(
            replace(kind, answer_hours=24, regularise_hours=72)
            if kind.code == "hospitalisation"
            else kind
            for kind in ref.pa_types
        )
        slower = replace(ref, version="regularise-72", pa_types=kinds)
        urgent = PaRequest("hospitalisation", (line(),), DAY, urgent=True)
        assert decide_request(urgent, rights(), slower, now=NOW).deadline == NOW + timedelta(
            hours=72
        )
        planned = PaRequest("hospitalisation", (line(),), DAY)
        assert decide_request(planned, rights(), slower, now=NOW).deadline == NOW + timedelta(
            hours=24
        )

    def test_nothing_in_our_codes_goes_to_the_reviewer_even_urgent(
        self, ref: ReferenceData
    ) -> None:
        for request in (costly(), PaRequest("hospitalisation", (line(),), DAY, urgent=True)):
            empty = replace(request, lines=())
            decided = decide_request(empty, rights(), ref, now=NOW)
            assert (decided.verdict, decided.reasons) == (Verdict.QUEUED, ("examen-medical",))
        refused = decide_request(
            replace(costly(), lines=()), rights(EligibilityStatus.NOT_FOUND), ref, now=NOW
        )
        assert refused.verdict is Verdict.REFUSED

    def test_a_planned_admission_goes_to_the_reviewer(self, ref: ReferenceData) -> None:
        planned = PaRequest("hospitalisation", (line(),), DAY)
        decided = decide_request(planned, rights(), ref, now=NOW)
        assert (decided.verdict, decided.reasons) == (Verdict.QUEUED, ("examen-medical",))
        assert decided.deadline == NOW + timedelta(hours=48)

    def test_urgency_does_not_apply_where_nothing_may_be_regularised(
        self, ref: ReferenceData
    ) -> None:
        device = PaRequest("device", (line(),), DAY, urgent=True)
        decided = decide_request(device, rights(), ref, now=NOW)
        assert decided.verdict is Verdict.QUEUED
        assert decided.deadline == NOW + timedelta(hours=72)

    def test_a_suspended_member_s_urgent_admission_is_not_provisional(
        self, ref: ReferenceData
    ) -> None:
        urgent = PaRequest("hospitalisation", (line(),), DAY, urgent=True)
        decided = decide_request(urgent, rights(EligibilityStatus.SUSPENDED), ref, now=NOW)
        assert decided.verdict is Verdict.QUEUED

    def test_an_unknown_kind_is_an_unknown_code(self, ref: ReferenceData) -> None:
        with pytest.raises(UnknownCode) as refused:
            decide_request(PaRequest("massage", (line(),), DAY), rights(), ref, now=NOW)
        assert refused.value.expression == "Claim.type"
        assert refused.value.detail == "Type de prise en charge inconnu : « massage »"


def amended(ref: ReferenceData, **trastuzumab: object) -> ReferenceData:
    """The dataset with the trastuzumab row changed, under a version of its own."""
    drugs = tuple(
        replace(d, **trastuzumab) if d.ean13 == TRASTUZUMAB else d  # type: ignore[arg-type]
        for d in ref.drugs
    )
    return replace(ref, version=f"{ref.version}+{sorted(trastuzumab.items())}", drugs=drugs)


class TestCatalogVariants:
    def test_a_costly_drug_listed_for_no_condition_is_never_granted_by_the_rules(
        self, ref: ReferenceData
    ) -> None:
        unlisted = amended(ref, indications=None)
        decided = decide_request(costly(), rights(), unlisted, now=NOW)
        assert decided.reasons == ("indication-non-couverte",)

    def test_a_drug_naming_no_specialty_may_be_prescribed_by_anyone(
        self, ref: ReferenceData
    ) -> None:
        anyone = amended(ref, specialties=None)
        for specialty in ("cardiologie", None):
            decided = decide_request(costly(specialty=specialty), rights(), anyone, now=NOW)
            assert decided.verdict is Verdict.GRANTED

    def test_one_hour_to_regularise_is_enough_to_grant_provisionally(
        self, ref: ReferenceData
    ) -> None:
        kinds = tuple(
            replace(k, regularise_hours=1) if k.code == "device" else k for k in ref.pa_types
        )
        one_hour = replace(ref, version=f"{ref.version}+device-1h", pa_types=kinds)
        urgent = PaRequest("device", (line(),), DAY, urgent=True)
        assert decide_request(urgent, rights(), one_hour, now=NOW).verdict is Verdict.PROVISIONAL

    def test_an_unknown_kind_is_quoted_no_longer_than_64_characters(
        self, ref: ReferenceData
    ) -> None:
        with pytest.raises(UnknownCode) as refused:
            decide_request(PaRequest("x" * 70, (line(),), DAY), rights(), ref, now=NOW)
        assert refused.value.detail == f"Type de prise en charge inconnu : « {'x' * 64} »"
