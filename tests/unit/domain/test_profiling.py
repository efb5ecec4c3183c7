"""The payers' data-mining in the domain: the period a run covers, the figures a profile is
built from, and the statistical flags made of them (one per subject and figure)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.anomaly_flags import (
    FlagKind,
    InsuredFigures,
    Period,
    ProviderFigures,
    SubjectKind,
    statistical_id,
)
from domain.rules.anomalies import Thresholds
from domain.services.profiling import (
    POPULATION,
    insured_profiles,
    payer_flags,
    period_ending,
    provider_profiles,
)

NOW = datetime(2026, 4, 1, 9, tzinfo=UTC)
THRESHOLDS = Thresholds(Decimal("3.5"), 5, Decimal("0.5"))


class Store:
    def __init__(self, providers: list[ProviderFigures], insured: list[InsuredFigures]) -> None:
        self._providers, self._insured = providers, insured

    def payers(self) -> list[str]:
        return ["CNSS"]

    def providers(self, payer: str, period: Period) -> Iterator[ProviderFigures]:
        return iter(self._providers)

    def insured(self, payer: str, period: Period) -> Iterator[InsuredFigures]:
        return iter(self._insured)


class TestPeriod:
    def test_it_ends_the_day_before_today(self) -> None:
        assert period_ending(date(2026, 4, 1), 90) == Period(date(2026, 1, 1), date(2026, 3, 31))

    def test_one_day_is_yesterday(self) -> None:
        assert period_ending(date(2026, 3, 1), 1) == Period(date(2026, 2, 28), date(2026, 2, 28))

    def test_no_day_is_refused(self) -> None:
        with pytest.raises(ValueError):
            period_ending(date(2026, 3, 1), 0)


class TestProfiles:
    def test_a_provider_s_figures_are_per_distinct_patient(self) -> None:
        [profile] = provider_profiles([ProviderFigures("p-1", "pharmacy", 30000, 6, 4)])
        assert profile.peer_group == "pharmacy"
        assert profile.figures == {
            "ro-par-patient": Decimal("75"), "lignes-par-patient": Decimal("1.5"),
        }  # fmt: skip

    def test_a_provider_without_patients_has_no_profile(self) -> None:
        assert list(provider_profiles([ProviderFigures("p-1", "pharmacy", 0, 0, 0)])) == []

    def test_an_insured_person_is_compared_with_the_whole_population(self) -> None:
        [profile] = insured_profiles([InsuredFigures("idx", 7, 3)])
        assert profile.peer_group == POPULATION
        assert profile.figures["pharmacies-par-assure"] == 3


class TestPayerFlags:
    def test_the_outlier_of_its_category_is_flagged_with_its_measure(self) -> None:
        usual = [ProviderFigures(f"p-{n}", "pharmacy", 10000 + n * 100, 2, 1) for n in range(7)]
        costly = ProviderFigures("p-x", "pharmacy", 90000, 2, 1)
        clinic = ProviderFigures("c-1", "clinic", 900000, 2, 1)  # alone in its category
        period = Period(date(2026, 1, 1), date(2026, 3, 31))
        found = payer_flags("CNSS", Store([*usual, costly, clinic], []), period, THRESHOLDS, NOW)
        [flag] = found
        assert (flag.kind, flag.code, flag.subject) == (
            FlagKind.STATISTICAL, "ro-par-patient", "p-x",
        )  # fmt: skip
        assert flag.id == statistical_id("CNSS", SubjectKind.PROVIDER, "p-x", "ro-par-patient")
        assert flag.figure is not None and flag.figure.value == Decimal(900)
        assert flag.figure.peers == 8 and flag.figure.period_start == period.start

    def test_too_few_peers_say_nothing(self) -> None:
        rows = [InsuredFigures(f"i-{n}", 1, 1) for n in range(3)] + [InsuredFigures("x", 40, 9)]
        period = Period(date(2026, 1, 1), date(2026, 3, 31))
        assert payer_flags("CNSS", Store([], rows), period, THRESHOLDS, NOW) == []
        rows.append(InsuredFigures("i-9", 1, 1))  # five: the least that says something
        found = payer_flags("CNSS", Store([], rows), period, THRESHOLDS, NOW)
        assert {(f.subject_kind, f.subject) for f in found} == {(SubjectKind.INSURED, "x")}
        assert {f.code for f in found} == {"delivrances-par-assure", "pharmacies-par-assure"}
