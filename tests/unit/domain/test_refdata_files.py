"""The refdata files: every kind read by one parser, from its declaration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files, parse_file
from domain.errors import ReferenceDataError
from domain.reference import ReferenceData
from domain.reference_kinds import RefKind
from domain.reference_rows import Provenance, Validity


@dataclass(frozen=True, slots=True)
class Tariff:
    """A kind the registry does not have: the parser reads it with no code of its own."""

    code: str
    price: int
    ceiling: Decimal | None
    validity: Validity
    provenance: Provenance


TARIFFS = RefKind("tariffs", "tariffs.csv", "ref_tariff", Tariff, key=("code",))
TARIFF_HEADER = "code,price,ceiling,valid_from,valid_to,source,confidence\n"


def append(path: Path, line: str) -> None:
    """Add one CSV line at the end of a file."""
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def refusal(refdir: Path) -> str:
    """The message of the error loading the directory raises."""
    with pytest.raises(ReferenceDataError) as caught:
        load_reference_files(refdir)
    return caught.value.detail


def last_line(path: Path) -> int:
    """The number of the last line of a file."""
    return path.read_text(encoding="utf-8").count("\n")


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
        lines = last_line(refdir / "rates.csv")
        assert refusal(refdir) == (
            f"rates.csv, ligne {lines}, colonne rate : taux entre 0 et 1 attendu"
        )

    def test_bad_date_is_refused(self, refdir: Path) -> None:
        append(refdir / "payers.csv", "TEST,Payeur,2030-13-01,,essai,U")
        assert "colonne valid_from : date AAAA-MM-JJ attendue, lu « 2030-13-01 »" in refusal(refdir)

    def test_a_period_ending_before_it_starts_is_refused(self, refdir: Path) -> None:
        append(refdir / "payers.csv", "TEST,Payeur,2030-01-01,2029-01-01,essai,U")
        assert "colonne valid_to : valid_to antérieure à valid_from" in refusal(refdir)

    def test_unknown_scheme_in_a_route_is_refused(self, refdir: Path) -> None:
        append(refdir / "payer_routes.csv", "AMO_X,CNSS,2030-01-01,,essai,U")
        lines = last_line(refdir / "payer_routes.csv")
        assert refusal(refdir) == (
            f"payer_routes.csv, ligne {lines}, colonne scheme : « AMO_X » absent de schemes.csv"
        )

    def test_a_star_stands_for_every_scheme(self, refdir: Path) -> None:
        append(refdir / "eligibility_params.csv", "*,test_param,1,2030-01-01,,essai,U")
        assert load_reference_files(refdir).param("AMO_TNS", "test_param", date(2030, 1, 1)) == 1

    def test_bad_confidence_tag_is_refused(self, refdir: Path) -> None:
        append(refdir / "payers.csv", "TEST,Payeur,2030-01-01,,essai,X")
        assert "colonne confidence : « X » hors de ['C', 'P', 'U']" in refusal(refdir)

    def test_ald_code_of_the_wrong_shape_is_refused(self, refdir: Path) -> None:
        append(refdir / "ald.csv", "ALD1,Libellé,ALD,2030-01-01,,essai,U")
        assert "colonne code : code ALD suivi de 2 ou 3 chiffres attendu" in refusal(refdir)

    def test_a_pattern_that_does_not_compile_is_refused(self, refdir: Path) -> None:
        append(refdir / "identifier_formats.csv", "rib,[0-9{24},RIB,,2030-01-01,,essai,U")
        assert "colonne pattern : expression régulière invalide" in refusal(refdir)

    def test_missing_file_is_refused(self, refdir: Path) -> None:
        (refdir / "rates.csv").unlink()
        assert refusal(refdir).startswith("rates.csv : fichier illisible")

    def test_a_missing_column_is_named(self, refdir: Path) -> None:
        path = refdir / "payers.csv"
        path.write_text(path.read_text(encoding="utf-8").replace(",label,", ",libelle,", 1))
        assert refusal(refdir) == "payers.csv, ligne 1 : colonne « label » absente"

    def test_a_row_longer_than_the_header_is_refused(self, refdir: Path) -> None:
        append(refdir / "payers.csv", "TEST,Payeur,2030-01-01,,essai,U,en trop")
        assert refusal(refdir).endswith(": colonnes en trop")


class TestParseFile:
    def test_a_new_kind_is_read_from_its_declaration(self) -> None:
        data = (
            TARIFF_HEADER
            + "C,15000,,2020-01-01,,NGAP,C\nK, 2000 ,1.5,2020-01-01,2024-12-31,NGAP,P\n"
        )
        rows = parse_file(TARIFFS, data.encode())
        assert rows == [
            (2, Tariff("C", 15000, None, Validity(date(2020, 1, 1)), Provenance("NGAP", "C"))),
            (
                3,
                Tariff(
                    "K",
                    2000,
                    Decimal("1.5"),
                    Validity(date(2020, 1, 1), date(2024, 12, 31)),
                    Provenance("NGAP", "P"),
                ),
            ),
        ]

    def test_a_word_in_a_number_column_names_file_line_and_column(self) -> None:
        data = TARIFF_HEADER + "C,15000,,2020-01-01,,NGAP,C\nK,deux mille,,2020-01-01,,NGAP,C\n"
        with pytest.raises(ReferenceDataError) as caught:
            parse_file(TARIFFS, data.encode())
        assert caught.value.detail == (
            "tariffs.csv, ligne 3, colonne price : nombre entier attendu, lu « deux mille »"
        )

    def test_a_comma_decimal_is_refused(self) -> None:
        data = TARIFF_HEADER + 'C,15000,"1,5",2020-01-01,,NGAP,C\n'
        with pytest.raises(ReferenceDataError, match="colonne ceiling : nombre décimal attendu"):
            parse_file(TARIFFS, data.encode())

    def test_a_word_in_a_yes_no_column_is_refused(self, refdir: Path) -> None:
        append(refdir / "dependants.csv", "*,child,21,26,oui,2030-01-01,,essai,U")
        lines = last_line(refdir / "dependants.csv")
        assert refusal(refdir) == (
            f"dependants.csv, ligne {lines}, colonne disabled_unlimited : "
            "true ou false attendu, lu « oui »"
        )

    def test_an_empty_required_cell_is_named(self) -> None:
        data = TARIFF_HEADER + "C,,,2020-01-01,,NGAP,C\n"
        with pytest.raises(ReferenceDataError) as caught:
            parse_file(TARIFFS, data.encode())
        assert caught.value.detail == (
            "tariffs.csv, ligne 2, colonne price : valeur obligatoire absente"
        )

    def test_blank_lines_are_skipped(self) -> None:
        data = TARIFF_HEADER + ",,,,,,\nC,15000,,2020-01-01,,NGAP,C\n"
        assert [line for line, _ in parse_file(TARIFFS, data.encode())] == [3]

    def test_a_file_not_in_utf8_is_refused(self) -> None:
        data = (TARIFF_HEADER + "C,15000,,2020-01-01,,Arrêté,C\n").encode("latin-1")
        with pytest.raises(
            ReferenceDataError, match=r"tariffs\.csv : le fichier n'est pas en UTF-8"
        ):
            parse_file(TARIFFS, data)
