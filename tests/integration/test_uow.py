"""The unit of work's transaction boundary."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError

from adapters.sql import SqlUnitOfWorkFactory
from domain.records import Convention, ExchangeQuery
from tests.integration.builders import CIN, exchange, provider


class TestSqlUnitOfWork:
    def test_commit_makes_work_durable(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.providers.add(provider())
            uow.commit()
        with uow_factory() as uow:
            assert uow.providers.by_client_id("client-1") == provider()

    def test_leaving_without_commit_rolls_back(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.providers.add(provider())
        with uow_factory() as uow:
            assert uow.providers.all() == []

    def test_an_exception_rolls_back(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with pytest.raises(RuntimeError), uow_factory() as uow:
            uow.providers.add(provider())
            raise RuntimeError("boom")
        with uow_factory() as uow:
            assert uow.providers.all() == []

    def test_explicit_rollback_undoes_work(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.providers.add(provider(1))
            uow.rollback()
            uow.providers.add(provider(2))
            uow.commit()
        with uow_factory() as uow:
            assert [p.id for p in uow.providers.all()] == ["P-2"]

    def test_concurrent_read_then_write_units_of_work_all_commit(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        def request() -> None:
            for _ in range(10):
                with uow_factory() as uow:
                    uow.members.find(CIN)
                    uow.exchanges.add(exchange())
                    uow.commit()

        threads = [threading.Thread(target=request) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with uow_factory() as uow:
            assert uow.exchanges.search(ExchangeQuery("P-1", "eligibility"))[1] == 40

    def test_commit_outside_the_block_is_refused(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        uow = uow_factory()
        with pytest.raises(RuntimeError, match="outside"):
            uow.commit()


class TestSqlProviderRepository:
    def test_finds_by_client_id_and_inpe(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.providers.add(provider(1))
            uow.providers.add(provider(2))
            assert uow.providers.by_inpe("000002") == provider(2)
            assert uow.providers.by_client_id("client-1") == provider(1)
            assert uow.providers.by_client_id("nobody") is None
            assert uow.providers.all() == [provider(1), provider(2)]

    def test_taken_client_id_is_refused(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with pytest.raises(IntegrityError), uow_factory() as uow:
            uow.providers.add(provider(1))
            uow.providers.add(replace(provider(2), client_id="client-1"))

    def test_the_convention_is_stored(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        suspended = replace(provider(), convention=Convention.SUSPENDED)
        with uow_factory() as uow:
            uow.providers.add(suspended)
            assert uow.providers.by_inpe(provider().inpe) == suspended

    def test_the_convention_is_changed_by_inpe(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.providers.add(provider(1))
            uow.providers.add(provider(2))
            assert uow.providers.set_convention("000001", Convention.TERMINATED)
            assert not uow.providers.set_convention("999999", Convention.TERMINATED)
            uow.commit()
        with uow_factory() as uow:
            conventions = [p.convention for p in uow.providers.all()]
        assert conventions == [Convention.TERMINATED, Convention.ACTIVE]

    def test_payers_keep_their_order(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.providers.add(replace(provider(), payers=("CNOPS", "CNSS")))
            found = uow.providers.by_inpe(provider().inpe)
        assert found is not None and found.payers == ("CNOPS", "CNSS")
