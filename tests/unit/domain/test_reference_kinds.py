"""The declaration of the kinds of reference data, and what derives from it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Annotated, get_type_hints

import pytest

from domain.reference import ReferenceData
from domain.reference_kinds import ALD, DEPENDANTS, IDENTIFIER_FORMATS, KINDS, RATES, RefKind
from domain.reference_rows import (
    AldCondition,
    DependantRule,
    IdentifierFormat,
    OneOf,
    Prose,
    Provenance,
    Share,
    Validity,
)

SINCE = Validity(date(2020, 1, 1))
SOURCE = Provenance("essai", "P")


@dataclass(frozen=True, slots=True)
class Tariff:
    """A kind the registry does not have: what a new one looks like."""

    code: str
    price: int
    note: Annotated[str, Prose()]
    validity: Validity
    provenance: Provenance
    ceiling: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Unstorable:
    """A row with a field no column can hold."""

    codes: list[str]
    validity: Validity
    provenance: Provenance


TARIFFS = RefKind("tariffs", "tariffs.csv", "ref_tariff", Tariff, key=("code",))


class TestColumns:
    def test_records_are_flattened_in_their_place(self) -> None:
        names = [column.name for column in IDENTIFIER_FORMATS.columns]
        assert names == [
            "kind",
            "pattern",
            "valid_from",
            "valid_to",
            "source",
            "confidence",
            "label",
            "hint",
        ]

    def test_a_field_admitting_none_may_be_empty(self) -> None:
        columns = {column.name: column for column in DEPENDANTS.columns}
        assert (columns["max_age"].nullable, columns["max_age"].blank) == (True, True)
        assert (columns["role"].nullable, columns["role"].blank) == (False, False)

    def test_an_empty_text_default_makes_a_column_optional_but_not_null(self) -> None:
        label = next(c for c in IDENTIFIER_FORMATS.columns if c.name == "label")
        assert (label.nullable, label.blank, label.default) == (False, True, "")

    def test_a_default_other_than_empty_keeps_the_cell_required(self) -> None:
        confidence = next(c for c in ALD.columns if c.name == "confidence")
        assert confidence.blank is False

    def test_annotations_become_constraints(self) -> None:
        rate = next(c for c in RATES.columns if c.name == "rate")
        assert (rate.type, rate.constraints) == (Decimal, (Share(),))
        assert rate.problem(Decimal("1.5")) == "taux entre 0 et 1 attendu"
        assert rate.problem(Decimal("0.7")) is None

    def test_prose_is_marked(self) -> None:
        prose = {column.name for column in TARIFFS.columns if column.prose}
        assert prose == {"note", "source"}

    def test_a_field_no_column_can_hold_is_refused(self) -> None:
        with pytest.raises(TypeError, match="codes"):
            RefKind("bad", "bad.csv", "ref_bad", Unstorable, key=("codes",))

    def test_a_key_naming_no_field_is_refused(self) -> None:
        with pytest.raises(TypeError, match="price_ht"):
            RefKind("tariffs", "tariffs.csv", "ref_tariff", Tariff, key=("price_ht",))


class TestBuildAndFlatten:
    def test_a_row_survives_flatten_then_build(self) -> None:
        row = DependantRule("*", "child", 21, None, True, SINCE, SOURCE)
        assert DEPENDANTS.build(DEPENDANTS.flatten(row)) == row

    def test_flat_values_name_the_columns(self) -> None:
        row = Tariff("C", 15000, "consultation", SINCE, SOURCE)
        assert TARIFFS.flatten(row) == {
            "code": "C",
            "price": 15000,
            "note": "consultation",
            "valid_from": date(2020, 1, 1),
            "valid_to": None,
            "source": "essai",
            "confidence": "P",
            "ceiling": None,
        }


class TestRowProblems:
    def test_a_period_ending_before_it_starts_is_refused(self) -> None:
        backwards = Validity(date(2020, 1, 1), date(2019, 12, 31))
        row = AldCondition("ALD09", "Diabète", "ALD", backwards, SOURCE)
        assert ALD.problem(row) == ("valid_to", "valid_to antérieure à valid_from")

    def test_an_ald_code_must_follow_its_kind(self) -> None:
        row = AldCondition("ALD9", "Diabète", "ALD", SINCE, SOURCE)
        assert ALD.problem(row) == ("code", "code ALD suivi de 2 ou 3 chiffres attendu")

    def test_an_alc_code_of_three_digits_is_fine(self) -> None:
        assert ALD.problem(AldCondition("ALC104", "Rein", "ALC", SINCE, SOURCE)) is None

    def test_a_closed_set_names_the_allowed_codes(self) -> None:
        assert OneOf(frozenset({"b", "a"})).problem("c") == "« c » hors de ['a', 'b']"


class TestRegistry:
    def test_every_kind_is_an_attribute_of_reference_data(self) -> None:
        hints = get_type_hints(ReferenceData)
        for kind in KINDS:
            assert hints[kind.name] == tuple[kind.row, ...]

    def test_every_row_tuple_of_reference_data_is_a_kind(self) -> None:
        rows = {f.name for f in fields(ReferenceData)} - {"version", "categories", "calendar"}
        assert rows == {kind.name for kind in KINDS}

    def test_files_and_tables_are_each_declared_once(self) -> None:
        assert len({kind.file for kind in KINDS}) == len(KINDS)
        assert len({kind.table for kind in KINDS}) == len(KINDS)

    def test_a_kind_comes_after_the_kinds_it_references(self) -> None:
        for position, kind in enumerate(KINDS):
            assert all(target in KINDS[:position] for _, target in kind.references), kind.name

    def test_identifier_formats_keep_their_optional_labels(self) -> None:
        row = IdentifierFormat("cin", "[A-Z]{1,2}[0-9]{1,6}", SINCE, SOURCE)
        assert IDENTIFIER_FORMATS.build(IDENTIFIER_FORMATS.flatten(row)).label == ""
