"""The hash-chained audit log and its verification."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, text

from adapters.crypto import BlindIndex, FieldCipher
from adapters.sql import SqlUnitOfWorkFactory, verify_chain
from domain.records import AuditEntry
from tests.integration.builders import T0


def _entry(n: int) -> AuditEntry:
    return AuditEntry(
        at=T0 + timedelta(seconds=n, microseconds=n),
        action="eligibility.check",
        outcome=200,
        tenant="P-1",
        client_id="client-1",
        resource=f"CoverageEligibilityResponse/{n}",
    )


def _append(factory: SqlUnitOfWorkFactory, count: int, *, commit: bool = True) -> None:
    with factory() as uow:
        for n in range(count):
            uow.audit.append(_entry(n))
        if commit:
            uow.commit()


def _factory(
    engine: Engine, cipher: FieldCipher, index: BlindIndex, stream: str
) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(engine, cipher=cipher, index=index, audit_stream_id=stream)


class TestSqlAuditLog:
    def test_appended_entries_form_a_valid_chain(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        _append(uow_factory, 3)
        _append(uow_factory, 2)
        assert verify_chain(engine).ok
        assert verify_chain(engine).entries == 5

    def test_seq_counts_up_within_a_stream(
        self, engine: Engine, cipher: FieldCipher, index: BlindIndex
    ) -> None:
        _append(_factory(engine, cipher, index, "a"), 2)
        _append(_factory(engine, cipher, index, "b"), 1)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT stream, seq FROM audit_event ORDER BY 1, 2"))
            assert [tuple(row) for row in rows] == [("a", 1), ("a", 2), ("b", 1)]

    def test_tampered_entry_is_reported(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        _append(uow_factory, 5)
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_event SET outcome = 403 WHERE seq = 3"))
        report = verify_chain(engine)
        assert (report.ok, report.first_bad_seq) == (False, 3)

    def test_removed_entry_is_reported(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        _append(uow_factory, 5)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_event WHERE seq = 2"))
        assert verify_chain(engine).first_bad_seq == 3

    def test_removed_last_entries_are_reported(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        _append(uow_factory, 5)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_event WHERE seq >= 4"))
        report = verify_chain(engine)
        assert (report.ok, report.first_bad_seq) == (False, 4)

    def test_rolled_back_append_leaves_no_gap(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        _append(uow_factory, 2)
        _append(uow_factory, 3, commit=False)
        _append(uow_factory, 1)
        assert verify_chain(engine) == verify_chain(engine, next(iter(_streams(engine))))
        assert verify_chain(engine).ok and verify_chain(engine).entries == 3

    def test_two_writers_of_one_stream_keep_one_chain(
        self, engine: Engine, cipher: FieldCipher, index: BlindIndex
    ) -> None:
        first, second = (_factory(engine, cipher, index, "shared") for _ in range(2))
        for _ in range(3):
            _append(first, 2)
            _append(second, 1)
        report = verify_chain(engine, "shared")
        assert report.ok and report.entries == 9

    def test_threads_of_one_process_keep_one_chain(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        def work() -> None:
            for _ in range(10):
                _append(uow_factory, 1)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report = verify_chain(engine)
        assert report.ok and report.entries == 40

    def test_verify_one_stream_ignores_others(
        self, engine: Engine, cipher: FieldCipher, index: BlindIndex
    ) -> None:
        _append(_factory(engine, cipher, index, "good"), 2)
        _append(_factory(engine, cipher, index, "bad"), 2)
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_event SET detail = 'x' WHERE stream = 'bad'"))
        assert verify_chain(engine, "good").ok
        report = verify_chain(engine)
        assert (report.ok, report.first_bad_stream, report.first_bad_seq) == (False, "bad", 1)


def _streams(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(text("SELECT stream FROM audit_head")).scalars())
