"""Identifier normalisation and format checks."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidIdentifier, ReferenceDataError
from domain.members import IdentifierKind, PersonIdentifier
from domain.reference import ReferenceData
from domain.rules.identifiers import normalize_identifier, validate_pattern

DAY = date(2025, 6, 16)


class TestNormalizeIdentifier:
    def test_spaces_are_removed(self, ref: ReferenceData) -> None:
        found = normalize_identifier("idcs", " 12345 67890 ", ref, DAY)
        assert found == PersonIdentifier(IdentifierKind.IDCS, "1234567890")

    def test_cin_is_upper_cased(self, ref: ReferenceData) -> None:
        found = normalize_identifier(IdentifierKind.CIN, "bk 123456", ref, DAY)
        assert found.value == "BK123456"

    def test_wrong_length_is_refused_without_echoing_the_value(self, ref: ReferenceData) -> None:
        with pytest.raises(InvalidIdentifier) as caught:
            normalize_identifier("idcs", "123456789", ref, DAY)
        assert "IDCS" in caught.value.detail and "10 chiffres" in caught.value.detail
        assert "123456789" not in caught.value.detail

    def test_letters_in_a_cnss_number_are_refused(self, ref: ReferenceData) -> None:
        with pytest.raises(InvalidIdentifier, match="CNSS"):
            normalize_identifier("cnss", "12345678A", ref, DAY)

    def test_unknown_system_is_refused(self, ref: ReferenceData) -> None:
        with pytest.raises(InvalidIdentifier, match="inconnu"):
            normalize_identifier("passport", "X1", ref, DAY)

    def test_missing_format_is_a_reference_error(self) -> None:
        with pytest.raises(ReferenceDataError):
            normalize_identifier("idcs", "1234567890", ReferenceData("empty"), DAY)


class TestValidatePattern:
    def test_inpe_has_9_digits(self, ref: ReferenceData) -> None:
        assert validate_pattern("inpe", "123456789", ref, DAY)
        assert not validate_pattern("inpe", "12345678", ref, DAY)

    def test_rib_has_24_digits(self, ref: ReferenceData) -> None:
        assert validate_pattern("rib", "0" * 24, ref, DAY)
        assert not validate_pattern("rib", "0" * 23 + "X", ref, DAY)

    def test_the_whole_value_must_match(self, ref: ReferenceData) -> None:
        assert not validate_pattern("idcs", "12345678901", ref, DAY)
