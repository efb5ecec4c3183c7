"""The lookups over reference data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.reference import ReferenceData
from domain.reference_rows import EligibilityParam, Provenance, Validity

DAY = date(2025, 6, 16)


class TestLookups:
    def test_public_sector_moves_from_cnops_to_cnss(self, ref: ReferenceData) -> None:
        assert ref.payer_for("AMO_PUBLIC", date(2025, 12, 31)) == "CNOPS"
        assert ref.payer_for("AMO_PUBLIC", date(2026, 1, 1)) == "CNSS"

    def test_no_payer_before_a_scheme_exists(self, ref: ReferenceData) -> None:
        assert ref.payer_for("AMO_TADAMON", date(2022, 11, 30)) is None

    def test_rate_changes_on_its_effective_date(self, ref: ReferenceData) -> None:
        before = ref.rate_for("AMO_SALARIES", "consultation", "standard", date(2019, 12, 31))
        after = ref.rate_for("AMO_SALARIES", "consultation", "standard", date(2020, 1, 1))
        assert before is not None and before.rate == Decimal("0.70")
        assert after is not None and after.rate == Decimal("0.80")

    def test_cnss_costly_drugs_are_98_percent(self, ref: ReferenceData) -> None:
        rule = ref.rate_for("AMO_SALARIES", "costly-drug", "costly", DAY)
        assert rule is not None and rule.rate == Decimal("0.98")

    def test_scheme_parameter_wins_over_the_default(self, ref: ReferenceData) -> None:
        assert ref.param("AMO_TNS", "waiting_months", DAY) == 3
        assert ref.param("AMO_TADAMON", "waiting_months", DAY) == 0

    def test_parameter_absent_for_a_scheme_is_none(self, ref: ReferenceData) -> None:
        assert ref.param("AMO_PUBLIC", "min_working_days", DAY) is None

    def test_later_row_wins_where_rows_overlap(self) -> None:
        def row(value: int, start: date) -> EligibilityParam:
            return EligibilityParam("*", "x", value, Validity(start), Provenance("t"))

        data = ReferenceData("t", params=(row(2, date(2024, 1, 1)), row(1, date(2020, 1, 1))))
        assert data.param("ANY", "x", DAY) == 2
        assert data.param("ANY", "x", date(2023, 1, 1)) == 1

    def test_child_rule_has_the_age_limits(self, ref: ReferenceData) -> None:
        rule = ref.dependant_rule("AMO_SALARIES", "child", DAY)
        assert rule is not None
        assert (rule.max_age, rule.student_max_age, rule.disabled_unlimited) == (21, 26, True)

    def test_prior_auth_by_category_and_by_scheme_code(self, ref: ReferenceData) -> None:
        assert ref.prior_auth_rules("AMO_PUBLIC", "dialysis", None, DAY)
        assert ref.prior_auth_rules("AMO_SALARIES", "laboratory", "B1200", DAY)
        assert not ref.prior_auth_rules("AMO_PUBLIC", "laboratory", "B1200", DAY)
        assert not ref.prior_auth_rules("AMO_SALARIES", "consultation", "C", DAY)

    def test_ald_lookup(self, ref: ReferenceData) -> None:
        diabetes = ref.ald_condition("ALD09", DAY)
        assert diabetes is not None and "Diabète" in diabetes.label
        assert ref.ald_condition("ALD42", DAY) is None

    def test_ald_rate_per_scheme_and_condition(self, ref: ReferenceData) -> None:
        renal = ref.ald_rate("AMO_SALARIES", "ALD17", DAY)
        assert renal is not None and renal.rate == Decimal("0.98")
        assert ref.ald_rate("AMO_SALARIES", "ALD09", DAY) is None
        assert ref.ald_rate("AMO_PUBLIC", "ALD17", DAY) is None

    def test_identifier_pattern(self, ref: ReferenceData) -> None:
        assert ref.identifier_pattern("idcs", DAY) == "[0-9]{10}"
        assert ref.identifier_pattern("passport", DAY) is None

    def test_the_index_is_built_once(self, ref: ReferenceData) -> None:
        assert ref.index() is ref.index()
