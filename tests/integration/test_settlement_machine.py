"""The settlement as a state machine on SQLite: claims accepted and cancelled, cycles run,
crashed half-way and taken up, transfers executed or returned by the bank, cycles run again;
the ledger's invariants checked after every step, and whatever is due paid exactly once
after every complete cycle."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import text

from adapters.crypto import BlindIndex, FieldCipher, new_key, parse_keyring
from adapters.sql import SqlUnitOfWorkFactory, make_engine, migrate
from domain.ledger import AlreadySettled, Entry, reversal
from domain.payment_records import TransferStatus
from domain.services.settlement import (
    BATCH_CREATED,
    BATCH_FILED,
    FILE_WRITTEN,
    LEDGER_POSTED,
    import_statement,
    settle,
)
from domain.settlement_ports import StatementLine
from gateway.ids import new_id
from tests.settlement_world import CYCLE, accept, add_provider, assert_settled, ledger, ports

PROVIDERS = ("P1", "P2", "P3")
NOW = datetime(2026, 11, 30, 20, tzinfo=UTC)
STEPS = (BATCH_CREATED, LEDGER_POSTED, FILE_WRITTEN, BATCH_FILED, "progress")


@cache
def template() -> Path:
    """A migrated SQLite file with the providers and their accounts, copied per example."""
    root = Path(tempfile.mkdtemp(prefix="settlement-machine-"))
    engine = make_engine(f"sqlite:///{root / 'gateway.db'}")
    migrate(engine)
    factory = _factory(engine)
    for provider in PROVIDERS:
        add_provider(factory, provider)
    engine.dispose()
    return root / "gateway.db"


def _factory(engine: object) -> SqlUnitOfWorkFactory:
    keys = parse_keyring(f"k1:{new_key()},idx:{new_key()}")
    return SqlUnitOfWorkFactory(
        engine,  # type: ignore[arg-type]
        cipher=FieldCipher(keys, "k1"), index=BlindIndex(keys["idx"]), audit_stream_id="sm",
    )  # fmt: skip


class Crash(Exception):
    """The process stopping at a step: what it had not committed is lost."""


class SettlementMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="settlement-example-"))
        shutil.copy(template(), self.root / "gateway.db")
        self.engine = make_engine(f"sqlite:///{self.root / 'gateway.db'}")
        self.uow = _factory(self.engine)
        self.files = self.root / "files"
        self.claims: dict[str, Entry] = {}
        self.cancelled: set[str] = set()
        self.count = 0

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.root, ignore_errors=True)

    @rule(provider=st.sampled_from(PROVIDERS), centimes=st.integers(1, 500_000),
          late=st.integers(-2, 2))  # fmt: skip
    def submit(self, provider: str, centimes: int, late: int) -> None:
        self.count += 1
        claim = f"c{self.count}"
        due = CYCLE + timedelta(days=late)  # after the cycle's date: not yet due
        self.claims[f"{provider}:{claim}"] = accept(self.uow, provider, claim, centimes, due)

    @precondition(lambda self: self.claims)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        source = data.draw(st.sampled_from(sorted(self.claims)))
        entry = self.claims[source]
        with self.uow() as uow:
            entries = uow.ledger.by_source(source)
        try:
            undone = reversal(entry, at=NOW, settled=entries)
        except AlreadySettled:
            assert source in ledger(self.uow).live_paid() or self._in_transfer(source)
            return
        if source in self.cancelled:
            return  # cancelled before: a second reversal is the same id, refused
        with self.uow() as uow:
            uow.ledger.add_many([undone])
            uow.commit()
        self.cancelled.add(source)

    @rule()
    def settle_cycle(self) -> None:
        settle(ports(self.uow, self.files), "CNSS", CYCLE, NOW)
        self._everything_due_paid_once()

    @rule(step=st.sampled_from(STEPS))
    def crash_during_cycle(self, step: str) -> None:
        def checkpoint(point: str) -> None:
            if point == step:
                raise Crash(point)

        def progress(done: int) -> None:
            if step == "progress":
                raise Crash("progress")

        with contextlib.suppress(Crash):
            settle(ports(self.uow, self.files, checkpoint=checkpoint, progress=progress),
                   "CNSS", CYCLE, NOW)  # fmt: skip

    @rule(data=st.data(), reason=st.sampled_from(["AC04", "AC01", None]))
    def bank_answers(self, data: st.DataObject, reason: str | None) -> None:
        sent = self._sent()
        if not sent:
            return
        e2e = data.draw(st.sampled_from(sent))
        status = TransferStatus.REJECTED if reason else TransferStatus.EXECUTED
        line = StatementLine(e2e, status, NOW, reason)
        import_statement(self.uow, [line], NOW, new_id)
        import_statement(self.uow, [line], NOW, new_id)  # the same statement again: no change
        with self.uow() as uow:
            record = uow.settlement.transfer(e2e)
        assert record is not None and record.status is status and record.reason == reason

    @invariant()
    def ledger_holds(self) -> None:
        assert_settled(self.uow, self.files, [])
        assert not set(ledger(self.uow).live_paid()) & self.cancelled

    def _everything_due_paid_once(self) -> None:
        due = [s for s, e in self.claims.items() if s not in self.cancelled and e.due <= CYCLE]  # type: ignore[operator]
        assert_settled(self.uow, self.files, due)

    def _sent(self) -> list[str]:
        with self.uow() as uow:
            rows = uow.session.execute(text("SELECT id FROM transfer WHERE status = 'sent'"))
            return sorted(r[0] for r in rows)

    def _in_transfer(self, source: str) -> bool:
        return any(e.kind.value == "payment" for e in self._entries(source))

    def _entries(self, source: str) -> list[Entry]:
        with self.uow() as uow:
            return uow.ledger.by_source(source)


EXAMPLES = int(os.environ.get("AMO_TEST_SETTLEMENT_EXAMPLES", "100"))
SettlementMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSettlementMachine = SettlementMachine.TestCase
