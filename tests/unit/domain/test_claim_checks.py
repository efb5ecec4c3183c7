"""Claim checks on their boundary days, and the properties of the split."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.claims import ClaimHistory, ClaimUse, CodeKind, Complementary, LineStatus, PastLine
from domain.money import Money
from domain.reference import ReferenceData
from domain.rules import claim_checks as checks
from domain.rules.adjudication import adjudicate, split
from tests.unit.domain.claim_builders import (
    DAY,
    INSULIN,
    claim,
    cnss,
    consultation,
    costly_drug,
    line,
    pharmacy,
    with_cover,
)

NONE = ClaimHistory()


def reasons(cmd, ref, history=NONE):  # type: ignore[no-untyped-def]
    return adjudicate(cmd, history, ref).lines[0].reasons


class TestFilingWindow:
    @pytest.mark.parametrize(
        ("filed", "late"), [(date(2024, 4, 30), False), (date(2024, 5, 1), True)]
    )
    def test_a_feuille_de_soins_within_60_days(
        self, ref: ReferenceData, filed: date, late: bool
    ) -> None:
        """Feuille de soins within 60 days (DOMAIN.md [C]): 2024-03-01 + 60 = 2024-04-30,
        the last day included."""
        cmd = claim(consultation(service_date=date(2024, 3, 1)), filed_on=filed)
        assert (reasons(cmd, ref) == ("depot-hors-delai",)) is late

    @pytest.mark.parametrize(
        ("filed", "late"), [(date(2024, 4, 30), False), (date(2024, 5, 1), True)]
    )
    def test_cnss_costly_drugs_within_3_months(
        self, ref: ReferenceData, filed: date, late: bool
    ) -> None:
        """CNSS costly-drug invoices within 3 months of dispensing (DOMAIN.md [C]): dispensed
        2024-01-31, the last day is 2024-04-30 (a shorter month ends the count)."""
        cmd = pharmacy(costly_drug(service_date=date(2024, 1, 31)), filed_on=filed)
        assert (reasons(cmd, ref) == ("depot-hors-delai",)) is late

    def test_a_predetermination_is_never_late(self, ref: ReferenceData) -> None:
        cmd = claim(
            consultation(service_date=date(2024, 1, 1)),
            filed_on=DAY,
            use=ClaimUse.PREDETERMINATION,
        )
        assert "depot-hors-delai" not in reasons(cmd, ref)

    def test_no_window_is_never_late(self) -> None:
        assert checks.filed_late(None, date(2000, 1, 1), DAY) is False


PAST = PastLine("CL-0", "P-1", "M-SAL", "Cs", DAY)


class TestDuplicates:
    def test_same_provider_patient_code_and_date(self, ref: ReferenceData) -> None:
        result = adjudicate(cnss(consultation()), ClaimHistory((PAST,)), ref).lines[0]
        assert (result.status, result.reasons) == (LineStatus.REJECTED, ("doublon",))

    @pytest.mark.parametrize(
        "other",
        [
            PastLine("CL-0", "P-2", "M-SAL", "Cs", DAY),
            PastLine("CL-0", "P-1", "M-XXX", "Cs", DAY),
            PastLine("CL-0", "P-1", "M-SAL", "C", DAY),
            PastLine("CL-0", "P-1", "M-SAL", "Cs", date(2024, 3, 5)),
        ],
    )
    def test_any_difference_is_not_a_duplicate(self, ref: ReferenceData, other: PastLine) -> None:
        assert "doublon" not in reasons(cnss(consultation()), ref, ClaimHistory((other,)))

    def test_a_correction_does_not_count_the_claim_it_corrects(self, ref: ReferenceData) -> None:
        cmd = cnss(consultation(), related_claim="CL-0")
        assert "doublon" not in reasons(cmd, ref, ClaimHistory((PAST,)))


class TestPrescriptions:
    def _insulin(self, day: date, **changes: object) -> object:
        return line(
            CodeKind.DRUG,
            INSULIN,
            "580",
            category="pharmacy",
            service_date=day,
            prescription_id="RX-1",
            documents=frozenset({"feuille-de-soins"}),
            **changes,
        )

    def _claim(self, day: date) -> object:
        drug = self._insulin(day)
        return cnss(drug, provider_category="pharmacy", filed_on=day)  # type: ignore[arg-type]

    def test_a_prescription_dispensed_at_another_pharmacy(self, ref: ReferenceData) -> None:
        past = PastLine("CL-0", "P-2", "M-OTHER", INSULIN, date(2024, 1, 1), 1, "RX-1")
        assert reasons(self._claim(DAY), ref, ClaimHistory((past,))) == ("ordonnance-deja-servie",)

    def test_the_same_pharmacy_may_serve_its_prescription_again(self, ref: ReferenceData) -> None:
        past = PastLine("CL-0", "P-1", "M-OTHER", INSULIN, date(2024, 1, 1), 1, "RX-1")
        assert reasons(self._claim(DAY), ref, ClaimHistory((past,))) == ()

    def test_another_prescription_or_code_is_not_the_same(self, ref: ReferenceData) -> None:
        history = ClaimHistory(
            (
                PastLine("CL-0", "P-2", "M-OTHER", INSULIN, date(2024, 1, 1), 1, "RX-2"),
                PastLine("CL-0", "P-2", "M-OTHER", "6111000000076", date(2024, 1, 1), 1, "RX-1"),
            )
        )
        assert reasons(self._claim(DAY), ref, history) == ()

    def test_a_line_without_prescription_is_never_served_elsewhere(self) -> None:
        drug = line(CodeKind.DRUG, INSULIN, "580", category="pharmacy")
        past = PastLine("CL-0", "P-2", "M-SAL", INSULIN, DAY, 1, None)
        assert checks.dispensed_elsewhere(drug, "P-1", (past,)) is False

    @pytest.mark.parametrize(
        ("day", "early"),
        [(date(2024, 1, 20), True), (date(2024, 1, 21), False), (date(2024, 1, 1), True)],
    )
    def test_a_refill_before_the_supply_runs_out(
        self, ref: ReferenceData, day: date, early: bool
    ) -> None:
        """Insulin: at most 3 boxes per 30 days in the catalog (synthetic [U]), so a box lasts
        10 days: 2 boxes dispensed on 2024-01-01 last until 2024-01-20 included."""
        past = PastLine("CL-0", "P-2", "M-SAL", INSULIN, date(2024, 1, 1), 2, "RX-0")
        found = reasons(self._claim(day), ref, ClaimHistory((past,)))
        assert ("renouvellement-premature" in found) is early

    def test_another_patients_supply_does_not_count(self, ref: ReferenceData) -> None:
        past = PastLine("CL-0", "P-1", "M-PUB", INSULIN, date(2024, 1, 15), 3, "RX-0")
        assert reasons(self._claim(date(2024, 1, 20)), ref, ClaimHistory((past,))) == ()

    def test_a_later_dispensing_does_not_make_an_earlier_one_early(
        self, ref: ReferenceData
    ) -> None:
        past = PastLine("CL-0", "P-1", "M-SAL", INSULIN, date(2024, 1, 21), 3, "RX-0")
        assert reasons(self._claim(date(2024, 1, 20)), ref, ClaimHistory((past,))) == ()

    def test_paid_quantity_is_at_most_prescribed(self) -> None:
        drug = line(CodeKind.DRUG, INSULIN, "580", quantity=3, prescribed_quantity=2)
        assert checks.paid_quantity(drug) == 2
        assert checks.paid_quantity(line(CodeKind.DRUG, INSULIN, "580", quantity=3)) == 3


AMOUNTS = st.integers(min_value=0, max_value=10**9).map(Money)
RATES = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100)
RC = st.none() | st.builds(Complementary, RATES, RATES)


class TestSplitProperties:
    @given(AMOUNTS, AMOUNTS, RATES, RC, st.none() | AMOUNTS)
    def test_shares_add_up_to_the_billed_amount(
        self,
        billed: Money,
        base: Money,
        rate: Decimal,
        rc: Complementary | None,
        limit: Money | None,
    ) -> None:
        shares = split(billed, base, rate, rc, limit)
        assert shares.benefit + shares.complementary + shares.patient == billed
        assert shares.eligible + shares.above_tariff == billed

    @given(AMOUNTS, AMOUNTS, RATES, RC, st.none() | AMOUNTS)
    def test_no_share_is_negative_and_the_ro_never_pays_above_the_base(
        self,
        billed: Money,
        base: Money,
        rate: Decimal,
        rc: Complementary | None,
        limit: Money | None,
    ) -> None:
        shares = split(billed, base, rate, rc, limit)
        zero = Money(0)
        assert min(shares.benefit, shares.complementary, shares.patient) >= zero
        assert shares.above_tariff >= zero and shares.benefit <= min(billed, base)
        assert limit is None or shares.benefit <= limit

    @given(AMOUNTS, AMOUNTS, RATES, RC)
    def test_the_split_is_deterministic(
        self, billed: Money, base: Money, rate: Decimal, rc: Complementary | None
    ) -> None:
        assert split(billed, base, rate, rc) == split(billed, base, rate, rc)


class TestAdjudicationProperties:
    @given(
        st.integers(min_value=0, max_value=10**7),
        st.booleans(),
        st.integers(min_value=1, max_value=7),
        st.integers(min_value=1, max_value=7),
    )
    def test_every_line_adds_up_and_the_answer_is_deterministic(
        self, ref: ReferenceData, centimes: int, ald: bool, boxes: int, prescribed: int
    ) -> None:
        """With an RC paying half the ticket modérateur and a quarter above tariff, and boxes
        beyond the prescription."""
        billed = str(Money(centimes).as_decimal())
        cmd = cnss(
            consultation(billed, ald_condition="ALD38" if ald else None),
            pharmacy(costly_drug(billed)).lines[0],
            line(CodeKind.DRUG, INSULIN, billed, sequence=3, category="pharmacy",
                 quantity=boxes, prescribed_quantity=prescribed),
            complementary="RC-TEST",
        )  # fmt: skip
        data = with_cover(ref, "0.5", "0.25")
        answer = adjudicate(cmd, NONE, data)
        for result in answer.lines:
            assert result.benefit + result.complementary + result.patient == result.submitted
            assert min(result.benefit, result.complementary, result.patient) >= Money(0)
        assert answer == adjudicate(cmd, NONE, data)
