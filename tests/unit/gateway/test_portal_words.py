"""The extranet's words: every sentence in every language, amounts in dirhams as each
language writes them, dates as people read them."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime
from decimal import Decimal
from types import ModuleType

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.accounts import Action, StaffRole
from domain.eligibility import EligibilityStatus
from domain.money import Money
from fhir_profiles import labels
from gateway.portal import catalogue
from gateway.portal.formats import amount, booked, day, moment, rate, start_of, typed_day


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class TestCatalogue:
    @pytest.mark.parametrize("lang", ["ar", "en"])
    def test_every_french_sentence_is_translated_with_the_same_values(self, lang: str) -> None:
        words = catalogue.CATALOGUES[lang]
        missing = sorted(set(catalogue.FR) - set(words))
        assert missing == []
        for key, french in catalogue.FR.items():
            assert _fields(words[key]) == _fields(french), key

    def test_every_role_action_and_status_has_words(self) -> None:
        keys = [f"role.{r.value}" for r in StaffRole] + [f"action.{a.value}" for a in Action]
        keys += [f"status.{s.value}" for s in EligibilityStatus]
        assert [key for key in keys if key not in catalogue.FR] == []

    def test_each_key_belongs_to_one_module(self) -> None:
        from gateway.portal import catalogue_fr

        seen = list(catalogue_fr.WORDS) + [k for area in catalogue.AREAS for k in area.FR]
        assert sorted(k for k in set(seen) if seen.count(k) > 1) == []

    @pytest.mark.parametrize("area", catalogue.AREAS, ids=lambda area: area.__name__)
    def test_each_area_translates_its_own_keys_and_no_other(self, area: ModuleType) -> None:
        assert sorted(set(area.AR) ^ set(area.FR)) == []
        assert sorted(set(area.EN) ^ set(area.FR)) == []

    def test_an_unknown_language_is_french(self) -> None:
        assert catalogue.text("de", "login.submit") == "Se connecter"
        assert catalogue.text("ar", "login.submit") == "دخول"

    def test_a_category_unknown_to_a_translation_keeps_its_french_name(self) -> None:
        assert catalogue.named("ar", "category", "pharmacy", "Médicaments") == "الأدوية"
        assert catalogue.named("ar", "category", "new-kind", "Nouveauté") == "Nouveauté"
        assert catalogue.named("fr", "payer", "CNSS", "Caisse nationale") == "Caisse nationale"

    def test_every_reference_name_is_translated(self) -> None:
        ref = load_reference_files(DEFAULT_REFDATA_DIR)
        keys = [f"category.{code}" for code in labels.categories(ref)]
        keys += [f"payer.{p.code}" for p in ref.payers] + [f"scheme.{s.code}" for s in ref.schemes]
        for lang in ("ar", "en"):
            assert [k for k in keys if k not in catalogue.CATALOGUES[lang]] == [], lang


class TestFormats:
    def test_amounts_are_in_dirhams_as_each_language_writes_them(self) -> None:
        assert amount(Money(123456), "fr") == "1\u202f234,56\xa0MAD"
        assert amount(123456, "en") == "1,234.56\xa0MAD"
        assert "د.م." in amount(Money(123456), "ar") and "1.234,56" in amount(123456, "ar")

    def test_a_rate_is_a_percentage(self) -> None:
        assert rate(Decimal("0.7"), "fr") == "70\xa0%"
        assert rate(Decimal("0.775"), "en") == "77.5%"

    def test_an_instant_is_in_morocco_s_time(self) -> None:
        noon_utc = datetime(2026, 11, 30, 13, 5, tzinfo=UTC)
        assert moment(noon_utc, "fr") == "30/11/2026 14:05"  # UTC+1 outside Ramadan
        assert moment(noon_utc, "en") == "30/11/2026, 14:05"

    def test_a_booking_given_as_a_day_is_shown_as_that_day_and_a_moment_as_a_moment(
        self,
    ) -> None:
        assert booked(datetime(2026, 11, 30, tzinfo=UTC), "fr") == "30 novembre 2026"
        one_second_later = datetime(2026, 11, 30, 0, 0, 1, tzinfo=UTC)
        assert booked(one_second_later, "fr") == moment(one_second_later, "fr")
        assert booked(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "fr") == "01/12/2026 00:30"

    def test_a_day_is_written_out(self) -> None:
        assert day(date(2026, 11, 30), "fr") == "30 novembre 2026"
        assert day(date(2026, 11, 30), "en") == "30 November 2026"
        assert "2026" in day(date(2026, 11, 30), "ar")

    def test_a_typed_day_is_read_and_anything_else_is_none(self) -> None:
        assert typed_day("2026-11-30") == date(2026, 11, 30)
        assert [typed_day(v) for v in (None, "", "2026-02-30", "30/11/2026")] == [None] * 4

    def test_a_filter_from_a_day_starts_at_its_first_instant_in_utc(self) -> None:
        assert start_of(date(2026, 11, 30)) == datetime(2026, 11, 30, tzinfo=UTC)
        assert start_of(None) is None
