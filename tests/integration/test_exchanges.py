"""The exchange repository: tenant scoping, search, encryption at rest, key rotation."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

from sqlalchemy import Engine

from adapters.crypto import BlindIndex, FieldCipher
from adapters.sql import SqlUnitOfWorkFactory
from domain.records import ExchangeQuery, ExchangeRecord
from tests.integration.builders import CIN, IDCS, T0, exchange


def _store(uow_factory: SqlUnitOfWorkFactory, *records: ExchangeRecord) -> None:
    with uow_factory() as uow:
        for record in records:
            uow.exchanges.add(record)
        uow.commit()


class TestSqlExchangeRepository:
    def test_stored_exchange_reads_back_whole(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        record = exchange(identifiers=(CIN, IDCS))
        _store(uow_factory, record)
        with uow_factory() as uow:
            assert uow.exchanges.get("P-1", "eligibility", record.id) == record
            assert uow.exchanges.get_by_request("P-1", "eligibility", record.request_id) == record

    def test_exchange_without_patient_reads_back(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        record = exchange(identifiers=(), patient_ref=None)
        _store(uow_factory, record)
        with uow_factory() as uow:
            assert uow.exchanges.get("P-1", "eligibility", record.id) == record

    def test_foreign_tenant_gets_nothing(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        record = exchange("P-1")
        _store(uow_factory, record)
        with uow_factory() as uow:
            assert uow.exchanges.get("P-2", "eligibility", record.id) is None
            assert uow.exchanges.get_by_request("P-2", "eligibility", record.request_id) is None
            assert uow.exchanges.search(ExchangeQuery("P-2", "eligibility")) == ([], 0)

    def test_other_kind_gets_nothing(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        record = exchange()
        _store(uow_factory, record)
        with uow_factory() as uow:
            assert uow.exchanges.get("P-1", "claim", record.id) is None

    def test_search_is_newest_first_with_total_before_paging(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        records = [exchange(created=T0 + timedelta(minutes=n)) for n in range(5)]
        _store(uow_factory, *records)
        with uow_factory() as uow:
            query = ExchangeQuery("P-1", "eligibility", limit=2, offset=1)
            found, total = uow.exchanges.search(query)
        assert total == 5
        assert [r.id for r in found] == [records[3].id, records[2].id]

    def test_search_by_patient_identifier(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        mine, other = exchange(identifiers=(CIN,)), exchange(identifiers=(IDCS,))
        _store(uow_factory, mine, other, exchange("P-2", identifiers=(CIN,)))
        with uow_factory() as uow:
            found, total = uow.exchanges.search(
                ExchangeQuery("P-1", "eligibility", patient_identifier=CIN)
            )
        assert (found, total) == ([mine], 1)

    def test_search_by_patient_reference_and_request_id(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        first = exchange(patient_ref="Patient/1", request_id="r-1")
        second = exchange(patient_ref="Patient/2", request_id="r-2")
        _store(uow_factory, first, second)
        with uow_factory() as uow:
            by_ref = uow.exchanges.search(
                ExchangeQuery("P-1", "eligibility", patient_ref="Patient/2")
            )
            by_request = uow.exchanges.search(ExchangeQuery("P-1", "eligibility", request_id="r-1"))
        assert by_ref == ([second], 1)
        assert by_request == ([first], 1)

    def test_search_by_period_includes_start_excludes_end(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        records = [exchange(created=T0 + timedelta(hours=n)) for n in range(4)]
        _store(uow_factory, *records)
        query = ExchangeQuery(
            "P-1",
            "eligibility",
            created_from=T0 + timedelta(hours=1),
            created_to=T0 + timedelta(hours=3),
        )
        with uow_factory() as uow:
            found, _ = uow.exchanges.search(query)
        assert [r.id for r in found] == [records[2].id, records[1].id]

    def test_created_reads_back_in_utc(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        local = T0.astimezone(timezone(timedelta(hours=1)))
        record = exchange(created=local)
        _store(uow_factory, record)
        with uow_factory() as uow:
            stored = uow.exchanges.get("P-1", "eligibility", record.id)
        assert stored is not None and stored.created == T0
        assert stored.created.utcoffset() == timedelta(0)

    def test_bodies_and_patient_are_not_stored_in_clear(
        self, uow_factory: SqlUnitOfWorkFactory, engine: Engine
    ) -> None:
        _store(uow_factory, exchange(patient_ref="Patient/777"))
        with engine.connect() as connection:
            dump = repr(connection.exec_driver_sql("SELECT * FROM exchange").all())
            dump += repr(connection.exec_driver_sql("SELECT * FROM exchange_patient").all())
        for secret in ("Alaoui", "CoverageEligibility", CIN.value, "Patient/777"):
            assert secret not in dump
        assert "P-1" in dump

    def test_rotation_keeps_old_rows_readable_and_writes_with_the_new_key(
        self,
        engine: Engine,
        uow_factory: SqlUnitOfWorkFactory,
        keyring: dict[str, bytes],
        index: BlindIndex,
    ) -> None:
        old = exchange()
        _store(uow_factory, old)
        rotated = SqlUnitOfWorkFactory(
            engine, cipher=FieldCipher(keyring, "k2"), index=index, audit_stream_id="rotated"
        )
        new = replace(exchange(), request_id="after-rotation")
        _store(rotated, new)
        with rotated() as uow:
            assert uow.exchanges.get("P-1", "eligibility", old.id) == old
            assert uow.exchanges.get("P-1", "eligibility", new.id) == new
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT id, key_id, request_enc FROM exchange")
            keys = {row[0]: (row[1], bytes(row[2])[:6]) for row in rows}
        assert keys == {old.id: ("k1", b"v1.k1."), new.id: ("k2", b"v1.k2.")}


class TestStoredBodies:
    def test_small_and_large_bodies_come_back_intact(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        small, large = b'{"resourceType":"X"}', b'{"text":"' + b"abc" * 2000 + b'"}'
        record = replace(
            exchange(), id="sizes-1", request_id="sizes-q", request_body=small, response_body=large
        )
        with uow_factory() as uow:
            uow.exchanges.add(record)
            uow.commit()
        with uow_factory() as uow:
            stored = uow.exchanges.get(record.tenant, record.kind, "sizes-1")
        assert stored is not None
        assert (stored.request_body, stored.response_body) == (small, large)
