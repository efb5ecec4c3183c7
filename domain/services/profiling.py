"""The payers' data-mining: each provider's and each insured person's consumption over a
period, compared with their peers' (domain.rules.anomalies), made into the payer's current
statistical flags (domain.anomaly_flags), replacing the previous run's.

The profiles come from a store that computes them in the database (one row per subject,
never the lines themselves); a provider is compared within its provider category, an insured
person (a blind index only) within the payer's whole population.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.anomaly_flags import (
    AnomalyFlag,
    Figure,
    FlagKind,
    InsuredFigures,
    Period,
    ProviderFigures,
    SubjectKind,
    statistical_id,
)
from domain.authorization_ports import ProfileStore
from domain.rules.anomalies import Profile, Thresholds, flags
from domain.uow_ports import UnitOfWork

POPULATION = "population"  # the peer group of every insured person of a payer


def period_ending(today: date, days: int) -> Period:
    """The `days` days of service before today (today's claims are still coming)."""
    if days < 1:
        raise ValueError("a profile covers at least one day")
    end = today - timedelta(days=1)
    return Period(end - timedelta(days=days - 1), end)


def provider_profiles(rows: Iterable[ProviderFigures]) -> Iterator[Profile]:
    """RO amount (MAD) and lines per distinct patient, compared within the category."""
    for row in rows:
        if row.patients <= 0:
            continue
        patients = Decimal(row.patients)
        yield Profile(
            row.provider_id,
            row.category,
            {
                "ro-par-patient": Decimal(row.benefit_centimes) / 100 / patients,
                "lignes-par-patient": Decimal(row.lines) / patients,
            },
        )


def insured_profiles(rows: Iterable[InsuredFigures]) -> Iterator[Profile]:
    """Dispensings and distinct pharmacies, compared within the payer's population."""
    for row in rows:
        yield Profile(
            row.member_index,
            POPULATION,
            {
                "delivrances-par-assure": Decimal(row.dispensings),
                "pharmacies-par-assure": Decimal(row.pharmacies),
            },
        )


def payer_flags(
    payer: str, store: ProfileStore, period: Period, thresholds: Thresholds, at: datetime
) -> list[AnomalyFlag]:
    """The payer's statistical flags over the period."""
    found = []
    for kind, profiles in (
        (SubjectKind.PROVIDER, provider_profiles(store.providers(payer, period))),
        (SubjectKind.INSURED, insured_profiles(store.insured(payer, period))),
    ):
        for flag in flags(profiles, thresholds):
            figure = Figure(
                flag.value, flag.peer_median, flag.peers, flag.score, period.start, period.end
            )
            found.append(
                AnomalyFlag(
                    id=statistical_id(payer, kind, flag.subject, flag.figure),
                    payer=payer,
                    kind=FlagKind.STATISTICAL,
                    code=flag.figure,
                    subject_kind=kind,
                    subject=flag.subject,
                    at=at,
                    figure=figure,
                )
            )
    return found


def run_profiles(
    uow: UnitOfWork,
    *,
    period: Period,
    thresholds: Thresholds,
    now: datetime,
) -> int:
    """Replace every payer's statistical flags, one transaction; how many flags stand."""
    total = 0
    with uow:
        store = uow.profiles
        for payer in store.payers():
            current = payer_flags(payer, store, period, thresholds, now)
            uow.anomaly_flags.replace_statistical(payer, current)
            total += len(current)
        uow.commit()
    return total
