"""The drug catalog and the kinds of prise en charge: dated reference rows, checked on load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, parse_file
from domain.reference import ReferenceData
from domain.reference_kinds import DRUGS
from domain.reference_rows import Ean13
from tests.unit.domain.test_refdata_files import append, refusal

TRASTUZUMAB = "6111000000014"  # of the synthetic demo catalog (Moroccan prefix 611)
DAY = date(2026, 3, 2)


class TestEan13:
    @pytest.mark.parametrize("code", ["6111000000014", "4006381333931", "0000000000000"])
    def test_a_valid_check_digit_is_accepted(self, code: str) -> None:
        assert Ean13().problem(code) is None

    @pytest.mark.parametrize("code", ["6111000000015", "6111000000010", "4006381333932"])
    def test_a_wrong_check_digit_is_refused(self, code: str) -> None:
        assert Ean13().problem(code) == "clé de contrôle EAN13 fausse"

    @pytest.mark.parametrize("code", ["611100000001", "61110000000140", "61110000000a4", ""])
    def test_anything_but_13_digits_is_refused(self, code: str) -> None:
        assert Ean13().problem(code) == "code EAN13 attendu : 13 chiffres"


class TestCatalog:
    def test_a_costly_drug_says_what_its_prise_en_charge_needs(self, ref: ReferenceData) -> None:
        drug = ref.drug(TRASTUZUMAB, DAY)
        assert drug is not None and drug.costly and drug.reimbursable
        assert (drug.indications, drug.max_quantity, drug.period_days) == ("ALD38", 6, 30)
        assert drug.ppv_centimes == 1_520_000 and drug.pbr_centimes is None
        assert drug.provenance.confidence == "U"  # synthetic: to be replaced by the payer's list

    def test_a_generic_group_shares_its_base(self, ref: ReferenceData) -> None:
        group = [d for d in ref.drugs if d.generic_group == "AMOXICILLINE-500"]
        assert len(group) == 2 and {d.pbr_centimes for d in group} == {2240}

    def test_a_drug_is_listed_from_its_first_day_only(self, ref: ReferenceData) -> None:
        assert ref.drug(TRASTUZUMAB, date(2024, 1, 1)) is not None
        assert ref.drug(TRASTUZUMAB, date(2023, 12, 31)) is None
        assert ref.drug("6111000000099", DAY) is None

    def test_every_catalog_code_passes_its_check_digit(self, ref: ReferenceData) -> None:
        assert all(Ean13().problem(d.ean13) is None for d in ref.drugs)

    def test_a_wrong_check_digit_names_file_line_and_column(self, refdir: Path) -> None:
        path = refdir / "drugs.csv"
        append(path, "6111000000015,X,comprimé,1 mg,X-1,100,,true,false,,1,30,,2024-01-01,,test,U")
        assert refusal(refdir).endswith("colonne ean13 : clé de contrôle EAN13 fausse")

    def test_an_unknown_indication_names_the_code(self, refdir: Path) -> None:
        path = refdir / "drugs.csv"
        append(
            path,
            "6111000000991,X,comprimé,1 mg,X-1,100,,true,true,ALD38 ALD99,1,30,,2024-01-01,,t,U",
        )
        assert refusal(refdir).endswith("colonne indications : « ALD99 » absent de ald.csv")

    def test_the_example_row_of_the_refdata_readme_is_read(self) -> None:
        readme = (DEFAULT_REFDATA_DIR / "README.md").read_text(encoding="utf-8")
        example = readme.split("```csv\n", 1)[1].split("```", 1)[0]
        [(_, drug)] = parse_file(DRUGS, example.encode())
        assert (drug.ean13, drug.indications, drug.specialties) == (
            "6111000000045",
            "ALD17",
            "nephrologie",
        )
        assert drug.costly and drug.reimbursable and drug.pbr_centimes is None


class TestKindsOfPriseEnCharge:
    def test_a_costly_drug_pec_is_answered_in_48_hours_and_valid_a_month(
        self, ref: ReferenceData
    ) -> None:
        costly = ref.pa_type("costly-drug", DAY)
        assert costly is not None
        assert (costly.answer_hours, costly.validity_days, costly.regularise_hours) == (48, 30, 0)
        assert costly.provenance.confidence == "C"

    def test_an_urgent_admission_may_be_regularised(self, ref: ReferenceData) -> None:
        admission = ref.pa_type("hospitalisation", DAY)
        assert admission is not None and admission.regularise_hours > 0

    def test_every_kind_names_its_documents(self, ref: ReferenceData) -> None:
        assert len(ref.pa_types) >= 8 and all(kind.documents for kind in ref.pa_types)
