"""Complementary covers (complementary.csv): the eight mutuelles of the public sector, what
they pay, and which row a line of a category finds on a day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.reference import ReferenceData
from domain.reference_rows import ComplementaryCover, Provenance, Validity

DAY = date(2024, 6, 3)
MUTUELLES = ("MGPAP", "OMFAM", "MGEN", "MODEP", "PTT", "DOUANES", "POLICE", "MFA")


def _cover(organisation: str, category: str, rate: str, start: date, end: date | None = None):  # type: ignore[no-untyped-def]
    return ComplementaryCover(
        organisation, category, organisation, Decimal(rate), Decimal(0),
        Validity(start, end), Provenance("test", "U"),
    )  # fmt: skip


class TestComplementaryCovers:
    def test_the_eight_mutuelles_of_the_cnops_are_known(self, ref: ReferenceData) -> None:
        """DOMAIN.md: CNOPS is delegated to 8 mutuelles; their scales are working values [U]."""
        for code in MUTUELLES:
            cover = ref.complementary_cover(code, "pharmacy", DAY)
            assert cover is not None, code
            assert (cover.ticket_rate, cover.above_tariff_rate) == (Decimal("0.5"), Decimal(0))
            assert cover.provenance.confidence == "U"

    def test_an_organisation_nobody_declared_is_unknown(self, ref: ReferenceData) -> None:
        assert ref.complementary_cover("AXA", "pharmacy", DAY) is None

    def test_a_cover_applies_from_its_first_day(self, ref: ReferenceData) -> None:
        """The AMO's first day, 2005-09-01: nothing the day before."""
        assert ref.complementary_cover("MGEN", "consultation", date(2005, 8, 31)) is None
        assert ref.complementary_cover("MGEN", "consultation", date(2005, 9, 1)) is not None

    def test_the_category_s_own_row_wins_over_every_category(self, ref: ReferenceData) -> None:
        optics = _cover("MGEN", "optics", "0.8", date(2024, 1, 1))
        data = replace(ref, complementary_covers=(*ref.complementary_covers, optics))
        assert data.complementary_cover("MGEN", "optics", DAY) == optics
        general = data.complementary_cover("MGEN", "pharmacy", DAY)
        assert general is not None and general.ticket_rate == Decimal("0.5")

    def test_a_closed_row_ends_on_its_last_day(self, ref: ReferenceData) -> None:
        old = _cover("RC-X", "*", "0.3", date(2020, 1, 1), date(2024, 6, 2))
        new = _cover("RC-X", "*", "0.6", date(2024, 6, 3))
        data = replace(ref, complementary_covers=(old, new))
        assert data.complementary_cover("RC-X", "pharmacy", date(2024, 6, 2)) == old
        assert data.complementary_cover("RC-X", "pharmacy", DAY) == new
