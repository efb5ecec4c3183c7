"""Anomaly flags in SQL (SQLite and PostgreSQL): rule flags written in the same write as their
claim (in bulk and one by one), statistical flags replaced per payer without duplicates, and
a payer's search never finding another payer's flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from adapters.sql import recorder
from adapters.sql.recorder import record_all
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.anomaly_flags import (
    AnomalyFlag,
    Figure,
    FlagKind,
    FlagQuery,
    SubjectKind,
    statistical_id,
)
from domain.records import AuditEntry, Effects, ExchangeRecord, IdempotentAnswer, Recording

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
PHARMACY = "org-111222333"


def rule_flag(
    flag_id: str, payer: str = "CNSS", claim: str = "F-1", at: datetime = NOW
) -> AnomalyFlag:
    return AnomalyFlag(
        id=flag_id, payer=payer, kind=FlagKind.RULE, code="doublon",
        subject_kind=SubjectKind.PROVIDER, subject=PHARMACY, at=at,
        claim_source=f"{PHARMACY}:{claim}", claim_request_id=f"req-{claim}", sequence=1,
    )  # fmt: skip


def refused(exchange_id: str, *flags: AnomalyFlag, key: str | None = None) -> Recording:
    """A claim's exchange refused for a signal: nothing payable, its flags."""
    record = ExchangeRecord(
        exchange_id, "claim", PHARMACY, NOW, f"req-{exchange_id}", "not-payable", None, (),
        b"{}", b"{}",
    )  # fmt: skip
    audit = AuditEntry(NOW, "claim.check", 200, tenant=PHARMACY)
    answer = None if key is None else IdempotentAnswer(PHARMACY, key, "h", 200, b"{}")
    return Recording(record, audit, answer, Effects(flags=flags))


def statistical(subject: str, value: str, payer: str = "CNSS") -> AnomalyFlag:
    figure = Figure(Decimal(value), Decimal("10.5"), 12, Decimal("4.2"), date(2026, 1, 1),
                    date(2026, 3, 31))  # fmt: skip
    return AnomalyFlag(
        id=statistical_id(payer, SubjectKind.PROVIDER, subject, "ro-par-patient"),
        payer=payer, kind=FlagKind.STATISTICAL, code="ro-par-patient",
        subject_kind=SubjectKind.PROVIDER, subject=subject, at=NOW, figure=figure,
    )  # fmt: skip


def search(uow_factory: SqlUnitOfWorkFactory, query: FlagQuery) -> tuple[list[AnomalyFlag], int]:
    with uow_factory() as uow:
        return uow.anomaly_flags.search(query)


class TestRuleFlags:
    def test_stored_with_the_claim_in_bulk(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        flag = rule_flag("f-1")
        assert record_all([refused("x-1", flag), refused("x-2")], uow=uow_factory()) == [True] * 2
        assert search(uow_factory, FlagQuery("CNSS")) == ([flag], 1)

    def test_not_stored_when_the_claim_is_not(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        record_all([refused("x-1", key="k-1")], uow=uow_factory())
        again = refused("x-2", rule_flag("f-2"), key="k-1")  # its key was taken: not recorded
        assert record_all([again], uow=uow_factory()) == [False]
        assert search(uow_factory, FlagQuery("CNSS")) == ([], 0)

    def test_stored_with_the_claim_when_it_goes_alone(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        """The path a batch takes after a twin committed meanwhile: each recording alone."""
        flag = rule_flag("f-1")
        with uow_factory() as uow:
            assert recorder._claim(uow, refused("x-1", flag)) is True
            assert recorder._claim(uow, refused("x-2", rule_flag("f-2"), key="k")) is True
            assert recorder._claim(uow, refused("x-3", rule_flag("f-3"), key="k")) is False
            uow.commit()
        assert [f.id for f in search(uow_factory, FlagQuery("CNSS"))[0]] == ["f-1", "f-2"]

    def test_searched_by_payer_code_provider_and_date(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        early, late = NOW - timedelta(days=3), NOW
        flags = (rule_flag("a", at=early), rule_flag("b", at=late), rule_flag("c", payer="CNOPS"))
        record_all([refused("x-1", *flags)], uow=uow_factory())
        assert [f.id for f in search(uow_factory, FlagQuery("CNSS"))[0]] == ["b", "a"]
        assert search(uow_factory, FlagQuery("CNSS", codes=("plafond-atteint",)))[1] == 0
        assert search(uow_factory, FlagQuery("CNSS", provider="org-other"))[1] == 0
        assert search(uow_factory, FlagQuery("CNSS", provider=PHARMACY))[1] == 2
        assert [f.id for f in search(uow_factory, FlagQuery("CNSS", at_from=late))[0]] == ["b"]
        assert [f.id for f in search(uow_factory, FlagQuery("CNSS", at_to=late))[0]] == ["a"]
        page, total = search(uow_factory, FlagQuery("CNSS", limit=1, offset=1))
        assert ([f.id for f in page], total) == (["a"], 2)
        with uow_factory() as uow:
            assert uow.anomaly_flags.get("CNSS", "c") is None  # another payer's
            assert uow.anomaly_flags.get("CNOPS", "c") is not None


class TestStatisticalFlags:
    def test_a_rerun_replaces_without_duplicates(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        record_all([refused("x-1", rule_flag("r-1"))], uow=uow_factory())
        for value in ("40", "55"):
            with uow_factory() as uow:
                uow.anomaly_flags.replace_statistical("CNSS", [statistical("p-1", value)])
                uow.commit()
        found, total = search(uow_factory, FlagQuery("CNSS", codes=("ro-par-patient",)))
        assert total == 1
        assert found[0].figure is not None and found[0].figure.value == Decimal("55")
        assert found[0].figure.score == Decimal("4.2")
        assert search(uow_factory, FlagQuery("CNSS"))[1] == 2  # the rule flag is kept

    def test_a_subject_no_longer_far_from_its_peers_is_no_longer_flagged(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.anomaly_flags.replace_statistical("CNSS", [statistical("p-1", "40")])
            uow.anomaly_flags.replace_statistical("CNOPS", [statistical("p-1", "40", "CNOPS")])
            uow.commit()
        with uow_factory() as uow:
            uow.anomaly_flags.replace_statistical("CNSS", [])
            uow.commit()
        assert search(uow_factory, FlagQuery("CNSS"))[1] == 0
        assert search(uow_factory, FlagQuery("CNOPS"))[1] == 1  # another payer's untouched
