"""The audit chain with concurrent writers: threads and processes appending to one stream."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from adapters.crypto import BlindIndex, FieldCipher
from adapters.sql import SqlUnitOfWorkFactory, verify_chain
from tests.integration.test_audit import _append, _factory

RIVAL_WAIT_SECONDS = 0.3  # how long a rival's append may block before ours goes on


@contextmanager
def rival_before_each_head_move(engine: Engine, rival: SqlUnitOfWorkFactory) -> Iterator[list[int]]:
    """Another process appends to the stream just before each of our head moves.

    The rival appends in a thread of its own: when our transaction holds the head, it waits
    (up to RIVAL_WAIT_SECONDS, then ours goes on and the rival finishes after our commit).
    Yields the list of rival appends, one per interference."""
    interfered: list[int] = []
    rivals: list[threading.Thread] = []
    local = threading.local()

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if getattr(local, "rival", False) or not statement.startswith("UPDATE audit_head"):
            return
        thread = threading.Thread(target=_as_rival, args=(rival, local))
        thread.start()
        thread.join(RIVAL_WAIT_SECONDS)
        rivals.append(thread)
        interfered.append(1)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield interfered
    finally:
        event.remove(engine, "before_cursor_execute", before)
        for thread in rivals:
            thread.join()


def _as_rival(rival: SqlUnitOfWorkFactory, local: threading.local) -> None:
    local.rival = True
    _append(rival, 1)


class TestConcurrentWriters:
    def test_a_writer_overtaken_at_every_move_still_appends(
        self, engine: Engine, cipher: FieldCipher, index: BlindIndex
    ) -> None:
        ours, rival = (_factory(engine, cipher, index, "shared") for _ in range(2))
        _append(ours, 1)
        with rival_before_each_head_move(engine, rival) as interfered:
            _append(ours, 1)
        report = verify_chain(engine, "shared")
        assert report.ok
        assert report.entries == 2 + len(interfered)

    def test_many_threads_of_several_processes_keep_one_chain(
        self, engine: Engine, cipher: FieldCipher, index: BlindIndex
    ) -> None:
        processes = [_factory(engine, cipher, index, "shared") for _ in range(3)]
        start = threading.Barrier(9)
        failures: list[BaseException] = []

        def work(factory: SqlUnitOfWorkFactory) -> None:
            start.wait()
            try:
                for _ in range(5):
                    _append(factory, 2)
            except BaseException as exc:  # reported below, with the chain's state
                failures.append(exc)

        threads = [threading.Thread(target=work, args=(processes[n % 3],)) for n in range(9)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        report = verify_chain(engine, "shared")
        assert report.ok and report.entries == 90
