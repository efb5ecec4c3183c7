"""The payers' consumption profiles in SQL (SQLite and PostgreSQL), and the job that makes
them statistical flags: figures per provider and per insured person of one payer only, a
reversed claim left out, the period's bounds, and a rerun replacing the flags it made."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from adapters.sql.recorder import record_all
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.anomaly_flags import FlagKind, FlagQuery, Period, SubjectKind
from domain.claim_history import HistoryLine
from domain.ledger import claim_accepted, reversal
from domain.money import Money
from domain.records import AuditEntry, Effects, Provider, Recording
from domain.rules.anomalies import Thresholds
from domain.services.profiling import run_profiles

NOW = datetime(2026, 4, 1, 9, tzinfo=UTC)
PERIOD = Period(date(2026, 1, 1), date(2026, 3, 31))
THRESHOLDS = Thresholds(Decimal("3.5"), 5, Decimal("0.5"))


def provider(number: int, category: str = "pharmacy") -> Provider:
    return Provider(f"org-{number}", f"INPE-{number}", f"Officine {number}", category,
                    ("CNSS", "CNOPS"), f"client-{number}", "{}")  # fmt: skip


def claim(
    who: int, claim: str, members: list[str], *, payer: str = "CNSS", day: date = date(2026, 2, 1),
    benefit: int = 10000,
) -> Recording:  # fmt: skip
    """A claim of provider `who` made payable: one line per member given."""
    source = f"org-{who}:{claim}"
    lines = tuple(
        HistoryLine(
            source,
            i,
            f"org-{who}",
            member,
            "6111000000069",
            "pharmacy",
            day,
            1,
            None,
            Money(benefit),
        )
        for i, member in enumerate(members, 1)
    )
    entry = claim_accepted(source, payer=payer, provider=f"org-{who}",
                           benefit=Money(benefit * len(members)), at=NOW)  # fmt: skip
    assert entry is not None
    audit = AuditEntry(NOW, "claim.check", 200, tenant=f"org-{who}")
    return Recording(None, audit, effects=Effects(entries=(entry,), history=lines))


def world(uow_factory: SqlUnitOfWorkFactory, count: int = 8) -> None:
    with uow_factory() as uow:
        for number in range(1, count + 1):
            uow.providers.add(provider(number))
        uow.providers.add(provider(99, "clinic"))
        uow.commit()


def test_figures_per_provider_and_insured_of_one_payer(uow_factory: SqlUnitOfWorkFactory) -> None:
    world(uow_factory)
    record_all([
        claim(1, "A", ["M-1", "M-2"]),
        claim(1, "B", ["M-1"], benefit=4000),
        claim(2, "C", ["M-1"]),
        claim(2, "D", ["M-3"], payer="CNOPS"),  # another payer's
        claim(3, "E", ["M-1"], day=date(2025, 12, 31)),  # the day before the period
        claim(3, "F", ["M-1"], day=date(2026, 3, 31)),  # its last day
        claim(4, "G", ["M-1"]),
    ], uow=uow_factory())  # fmt: skip
    record_all([Recording(None, AuditEntry(NOW, "claim.cancel", 200), effects=Effects(
        entries=(reversal(claim(4, "G", ["M-1"]).effects.entries[0], at=NOW),)))],
        uow=uow_factory())  # fmt: skip
    with uow_factory() as uow:
        assert uow.profiles.payers() == ["CNOPS", "CNSS"]
        providers = {row.provider_id: row for row in uow.profiles.providers("CNSS", PERIOD)}
        insured = list(uow.profiles.insured("CNSS", PERIOD))
    assert set(providers) == {"org-1", "org-2", "org-3"}  # org-4's claim was reversed
    one = providers["org-1"]
    assert (one.category, one.benefit_centimes, one.lines, one.patients) == (
        "pharmacy", 24000, 3, 2,
    )  # fmt: skip
    assert providers["org-3"].lines == 1  # the day before the period is left out
    by_member = {row.dispensings: row.pharmacies for row in insured}
    assert len(insured) == 2  # two patients (blind indexes), M-3 is CNOPS's
    assert by_member == {4: 3, 1: 1}  # M-1: claims A, B, C, F at org-1, org-2, org-3


def test_the_job_flags_the_outlier_once_and_a_rerun_replaces(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    world(uow_factory)
    usual = [claim(n, f"C-{n}", [f"M-{n}"], benefit=10000 + n) for n in range(1, 8)]
    costly = claim(8, "C-8", ["M-8"], benefit=90000)
    record_all([*usual, costly], uow=uow_factory())
    for _ in range(2):
        run_profiles(uow_factory(), period=PERIOD, thresholds=THRESHOLDS, now=NOW)
    with uow_factory() as uow:
        found, total = uow.anomaly_flags.search(FlagQuery("CNSS", codes=("ro-par-patient",)))
        assert uow.anomaly_flags.search(FlagQuery("CNOPS"))[1] == 0
    assert total == 1
    [flag] = found
    assert (flag.kind, flag.subject_kind, flag.subject) == (
        FlagKind.STATISTICAL, SubjectKind.PROVIDER, "org-8",
    )  # fmt: skip
    assert flag.figure is not None and flag.figure.value == Decimal(900)
    assert flag.figure.peers == 8 and flag.figure.period_end == PERIOD.end
