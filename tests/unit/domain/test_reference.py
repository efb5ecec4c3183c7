"""The refdata files and the lookups over them."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.errors import ReferenceDataError
from domain.reference import EligibilityParam, Provenance, ReferenceData, Validity

DAY = date(2025, 6, 16)


@pytest.fixture
def refdir(tmp_path: Path) -> Path:
    """A writable copy of the refdata directory."""
    return Path(shutil.copytree(DEFAULT_REFDATA_DIR, tmp_path / "refdata"))


def append(path: Path, line: str) -> None:
    """Add one CSV line at the end of a file."""
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")


class TestLoadReferenceFiles:
    def test_every_ald_code_of_the_arrete_is_listed(self, ref: ReferenceData) -> None:
        codes = {a.code for a in ref.ald if a.kind == "ALD"}
        assert codes == {f"ALD{i:02d}" for i in range(1, 42)}

    def test_categories_keep_the_file_order(self, ref: ReferenceData) -> None:
        assert ref.categories[:3] == ("consultation", "pharmacy", "costly-drug")
        assert [c.code for c in ref.care_categories] == list(ref.categories)

    def test_version_is_stable_for_the_same_files(self, ref: ReferenceData) -> None:
        assert load_reference_files(DEFAULT_REFDATA_DIR).version == ref.version
        assert ref.version.startswith("ref-") and len(ref.version) == 16

    def test_an_edit_changes_the_version(self, ref: ReferenceData, refdir: Path) -> None:
        append(refdir / "payers.csv", "TEST,Payeur de test,2030-01-01,,essai,U")
        assert load_reference_files(refdir).version != ref.version

    def test_bad_rate_names_file_line_and_column(self, refdir: Path) -> None:
        append(refdir / "rates.csv", "AMO_TNS,consultation,standard,1.5,TNR,2030-01-01,,essai,U")
        lines = (refdir / "rates.csv").read_text(encoding="utf-8").count("\n")
        with pytest.raises(ReferenceDataError) as caught:
            load_reference_files(refdir)
        assert caught.value.detail.startswith(f"rates.csv, ligne {lines}, colonne rate")

    def test_bad_date_is_refused(self, refdir: Path) -> None:
        append(refdir / "payers.csv", "TEST,Payeur,2030-13-01,,essai,U")
        with pytest.raises(ReferenceDataError, match="colonne valid_from"):
            load_reference_files(refdir)

    def test_unknown_scheme_in_a_route_is_refused(self, refdir: Path) -> None:
        append(refdir / "payer_routes.csv", "AMO_X,CNSS,2030-01-01,,essai,U")
        with pytest.raises(ReferenceDataError, match=r"payer_routes\.csv.*colonne scheme"):
            load_reference_files(refdir)

    def test_bad_confidence_tag_is_refused(self, refdir: Path) -> None:
        append(refdir / "payers.csv", "TEST,Payeur,2030-01-01,,essai,X")
        with pytest.raises(ReferenceDataError, match="colonne confidence"):
            load_reference_files(refdir)

    def test_ald_code_of_the_wrong_shape_is_refused(self, refdir: Path) -> None:
        append(refdir / "ald.csv", "ALD1,Libellé,ALD,2030-01-01,,essai,U")
        with pytest.raises(ReferenceDataError, match="colonne code"):
            load_reference_files(refdir)

    def test_missing_file_is_refused(self, refdir: Path) -> None:
        (refdir / "rates.csv").unlink()
        with pytest.raises(ReferenceDataError, match=r"rates\.csv"):
            load_reference_files(refdir)


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

    def test_identifier_pattern(self, ref: ReferenceData) -> None:
        assert ref.identifier_pattern("idcs", DAY) == "[0-9]{10}"
        assert ref.identifier_pattern("passport", DAY) is None

    def test_the_index_is_built_once(self, ref: ReferenceData) -> None:
        assert ref.index() is ref.index()
