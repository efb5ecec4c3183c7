"""Group commit: exchanges waiting at the same moment share one transaction.

domain.ports.ExchangeRecorder and AuditTrail. A request is answered only once its exchange and
audit entry are committed, as with one transaction per request; but a single writer thread
commits whatever has queued up meanwhile, so under load one commit (and one SQLite write lock)
serves dozens of requests.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from adapters.sql.engine import is_database_error
from domain.errors import Conflict, StaleState, Unavailable
from domain.ledger import AlreadyRecorded
from domain.records import AuditEntry, Recording
from domain.uow_ports import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("amo.recorder")


@dataclass(slots=True)
class _Pending:
    recording: Recording
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[bool]
    # Set by the request once it stopped waiting (deadline passed, client gone): its answer
    # was never given, so it must not be recorded as given.
    abandoned: bool = False


class GroupCommitRecorder:
    """Records exchanges and audit entries in batches, from one writer thread."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        deadline: float = 5.0,
        max_batch: int = 256,
        between_batches: Callable[[], None] | None = None,
    ) -> None:
        """`between_batches`: called by the writer thread after each commit, holding no lock
        (the SQLite checkpointer's WAL restart)."""
        self._uow = uow
        self._between_batches = between_batches
        self._deadline = deadline  # how long a request waits for its commit before a 503
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="amo-recorder", daemon=True)
        self._thread.start()

    async def record(self, recording: Recording) -> bool:
        """Store an exchange once committed; False if its Idempotency-Key was taken
        meanwhile, and nothing of it stored."""
        loop = asyncio.get_running_loop()
        pending = _Pending(recording, loop, loop.create_future())
        self._queue.put(pending)
        try:
            async with asyncio.timeout(self._deadline):
                return await pending.future
        except TimeoutError as exc:
            pending.abandoned = True
            raise Unavailable("Base de données trop lente : réessayez plus tard") from exc
        except asyncio.CancelledError:
            pending.abandoned = True
            raise
        except Exception as exc:
            if is_database_error(exc):
                raise Unavailable("Base de données indisponible") from exc
            raise

    async def append(self, entry: AuditEntry) -> None:
        """Add an audit entry alone (a read, a replay, a refusal), once committed."""
        await self.record(Recording(None, entry))

    def close(self) -> None:
        """Commit what is queued, then stop the writer."""
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._drain(first)
            self._commit(batch)
            if self._between_batches is not None:
                self._after_batch(self._between_batches)
            if stop:
                return

    @staticmethod
    def _after_batch(hook: Callable[[], None]) -> None:
        try:
            hook()
        except Exception:  # the writer outlives its hook: the requests after wait on it
            log.exception("after a batch")

    def _drain(self, first: _Pending) -> tuple[list[_Pending], bool]:
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                pending = self._queue.get_nowait()
            except queue.Empty:
                return batch, False
            if pending is None:
                return batch, True
            batch.append(pending)
        return batch, False

    def _commit(self, batch: list[_Pending]) -> None:
        batch = [pending for pending in batch if not pending.abandoned]
        if not batch:
            return
        try:
            stored = record_all([p.recording for p in batch], uow=self._uow())
        except Exception as exc:
            if len(batch) > 1 and not is_database_error(exc):
                log.warning("batch of %d refused; committing one by one", len(batch))
                for pending in batch:  # one bad entry must not fail the others
                    self._commit([pending])
                return
            _wake(batch, [exc] * len(batch))
            return
        _wake(batch, stored)


def _wake(batch: list[_Pending], outcomes: Sequence[bool | Exception]) -> None:
    """Settle a batch's futures: one wake-up per event loop, not one per request."""
    loops: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[bool], object]]] = {}
    for pending, outcome in zip(batch, outcomes, strict=True):
        loops.setdefault(pending.loop, []).append((pending.future, outcome))
    for loop, settled in loops.items():
        loop.call_soon_threadsafe(_settle, settled)


def _settle(settled: list[tuple[asyncio.Future[bool], object]]) -> None:
    for future, outcome in settled:
        if future.done():  # the client went away and the request was cancelled
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(bool(outcome))


def record_all(recordings: Sequence[Recording], *, uow: UnitOfWork) -> list[bool | Conflict]:
    """Store several exchanges in one transaction: all or none.

    Returns, per recording, whether it was stored: False when its Idempotency-Key was taken
    meanwhile by a concurrent retry, a StaleState when a prise en charge it changes changed
    meanwhile, AlreadyRecorded when one of its ledger entries was recorded before (the claim
    was made payable already); in each case nothing of it is stored (it did not act), and the
    others are.

    The keys and ledger ids the batch takes are looked up first, and what is new is inserted a
    table at a time. A twin committed by another process between the look-up and the insert
    (a replica, on PostgreSQL) undoes that and the batch is recorded one recording at a time,
    each in a savepoint of its own.
    """
    with uow:
        try:
            with uow.savepoint():
                stored = _in_bulk(uow, recordings)
        except IntegrityError:
            stored = [_claim(uow, r) for r in recordings]
        kept = [r for r, ok in zip(recordings, stored, strict=True) if ok is True]
        uow.exchanges.add_many([r.record for r in kept if r.record is not None])
        uow.audit.append_many([r.audit for r in kept])
        authorizations = [r.effects.authorization for r in kept if r.effects.authorization]
        if authorizations:
            uow.authorizations.add_many(authorizations)
        notifications = [n for r in kept for n in r.effects.notifications]
        if notifications:
            uow.outbox.add_many(notifications)
        uow.commit()
    return stored


def _in_bulk(uow: UnitOfWork, recordings: Sequence[Recording]) -> list[bool | Conflict]:
    """Take the batch's keys and ledger entries in one statement each: what was taken before
    (or earlier in the batch) is refused, a change that lost is stale. The claim lines the
    entries make payable are inserted with them."""
    taken = uow.idempotency.taken([(r.answer.tenant, r.answer.key) for r in recordings if r.answer])
    recorded = uow.ledger.recorded([e.id for r in recordings for e in r.effects.entries])
    outcomes: list[bool | Conflict] = []
    answers, entries, lines, flags = [], [], [], []
    for recording in recordings:
        answer, mine = recording.answer, recording.effects.entries
        key = None if answer is None else (answer.tenant, answer.key)
        if key in taken:
            outcomes.append(False)
        elif twins := [e.id for e in mine if e.id in recorded]:
            outcomes.append(AlreadyRecorded(f"Déjà comptabilisé : {', '.join(twins)}"))
        elif recording.effects.changes and not _changed(uow, recording):
            outcomes.append(_stale())
        else:
            if answer is not None and key is not None:
                taken.add(key)
                answers.append(answer)
            recorded.update(e.id for e in mine)
            entries.extend(mine)
            lines.extend(recording.effects.history)
            flags.extend(recording.effects.flags)
            outcomes.append(True)
    uow.idempotency.put_many(answers)
    uow.ledger.insert_many(entries)
    uow.claim_lines.add_many(lines)
    uow.anomaly_flags.add_many(flags)
    return outcomes


def _changed(uow: UnitOfWork, recording: Recording) -> bool:
    """Apply a recording's changes to prises en charge, all or none."""
    with uow.savepoint() as undo:
        for change in recording.effects.changes:
            if not uow.authorizations.change(change):
                undo()
                return False
    return True


def _stale() -> StaleState:
    return StaleState(
        "La prise en charge a changé entre-temps : la demande est à décider de nouveau"
    )


def _claim(uow: UnitOfWork, recording: Recording) -> bool | Conflict:
    """Take a recording's key, apply its changes and record its ledger entries and the
    claim lines they make payable, all or nothing (a savepoint)."""
    changes, entries = recording.effects.changes, recording.effects.entries
    history, flags = recording.effects.history, recording.effects.flags
    if not changes and not entries and not history and not flags:
        return recording.answer is None or uow.idempotency.claim(recording.answer)
    with uow.savepoint() as undo:
        if recording.answer is not None and not uow.idempotency.claim(recording.answer):
            undo()
            return False
        for change in changes:
            if not uow.authorizations.change(change):
                undo()
                return _stale()
        try:
            uow.ledger.add_many(entries)
        except AlreadyRecorded as refused:
            undo()
            return refused
        uow.claim_lines.add_many(history)  # after its entry: a claim's lines are written once
        uow.anomaly_flags.add_many(flags)
    return True
