"""The cold check's direct member lookup (one statement, no thread hop) answers exactly what
the threaded directory answers, on SQLite and PostgreSQL: every person of a generated registry
by each of their identifiers (dependants with their insureds, double affiliations), an unknown
person, several identifiers in the order given; and a slow or unreachable database is
`Unavailable`, never an empty answer."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from adapters.crypto import BlindIndex
from adapters.population import write_population
from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from adapters.registry_files import read_entries
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.direct_reads import APPLICATION, PostgresDirect, SqliteDirect, postgres_pool
from adapters.sql.member_lookup import PostgresMemberLookup, SqliteMemberLookup
from adapters.sql.reads import SqlMemberDirectory, SqlReads
from domain.errors import Unavailable
from domain.members import EligibilityFacts, IdentifierKind, PersonIdentifier
from domain.records import RegistryEntry
from domain.services.registry import store_registry
from tests.e2e.tcpproxy import TcpProxy
from tests.pipeline_fakes import FakeDecisionCache

TODAY = date(2026, 3, 2)
PEOPLE = 600
UNKNOWN = PersonIdentifier(IdentifierKind.IDCS, "1000000000")


@pytest.fixture(autouse=True)
def registry_version(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO registry_version (id, version) VALUES (1, 0)")


@pytest.fixture
def everyone(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> list[RegistryEntry]:
    """A generated registry, imported."""
    path = tmp_path / "population.jsonl"
    write_population(path, seed=23, people=PEOPLE, today=TODAY)
    ref = load_reference_files(DEFAULT_REFDATA_DIR)
    store_registry(read_entries(path, ref, TODAY), uow=uow_factory(), cache=FakeDecisionCache())
    return [e for _line, entries in read_entries(path, ref, TODAY) for e in entries]


@pytest.fixture
def threaded(uow_factory: SqlUnitOfWorkFactory) -> SqlMemberDirectory:
    return SqlMemberDirectory(SqlReads(uow_factory, threads=2, deadline=5))


@pytest.fixture
def direct(
    engine: Engine, index: BlindIndex, threaded: SqlMemberDirectory
) -> Iterator[SqliteMemberLookup | _PerLoop]:
    """The direct lookup on the backend under test."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        assert path
        direct = SqliteDirect(path, deadline=5)
        yield SqliteMemberLookup(direct, index=index, fallback=threaded)
        direct.close()
        return
    yield _PerLoop(engine.url.render_as_string(hide_password=False), index)


class _PerLoop:
    """The PostgreSQL lookup on a pool opened in each call's own event loop (asyncio.run)."""

    def __init__(self, url: str, index: BlindIndex) -> None:
        self.url, self.index = url, index

    async def find(self, identifiers: list[PersonIdentifier]) -> list[EligibilityFacts]:
        pool = postgres_pool(self.url, size=2, deadline=5)
        await pool.open(wait=True)
        try:
            return await PostgresMemberLookup(
                PostgresDirect(pool, deadline=5), index=self.index
            ).find(identifiers)
        finally:
            await pool.close()


def same(facts: list[EligibilityFacts]) -> list[tuple[object, ...]]:
    return [(f.member, sorted(f.insureds.items())) for f in facts]


class TestSameAnswers:
    def test_every_person_by_each_identifier(self, everyone, threaded, direct) -> None:
        async def both(identifiers: list[PersonIdentifier]) -> tuple[list, list]:
            return await threaded.find(identifiers), await direct.find(identifiers)

        dependants = 0
        for entry in everyone[::3]:
            for identifier in entry.identifiers:
                before, after = asyncio.run(both([identifier]))
                assert same(after) == same(before) and before, identifier
                dependants += any(f.insureds for f in after)
        assert dependants > 10  # the dependants' insureds were read through the one statement

    def test_the_first_identifier_that_finds_anyone(self, everyone, threaded, direct) -> None:
        first, second = everyone[0].identifiers[0], everyone[1].identifiers[0]
        for asked in ([UNKNOWN, second], [first, second], [second, first], [UNKNOWN], []):
            before = asyncio.run(threaded.find(asked))
            after = asyncio.run(direct.find(asked))
            assert same(after) == same(before)
        assert [f.member for f in asyncio.run(direct.find([UNKNOWN, second]))] == [
            e.member for e in everyone if second in e.identifiers
        ]


class TestFaults:
    @pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
    def test_a_statement_past_its_deadline_is_unavailable(
        self, engine: Engine, everyone, index: BlindIndex, threaded
    ) -> None:
        path = engine.url.database
        assert path
        direct = SqliteDirect(path, deadline=0)
        lookup = SqliteMemberLookup(direct, index=index, fallback=threaded)
        try:
            with pytest.raises(Unavailable):
                asyncio.run(lookup.find(everyone[0].identifiers))
        finally:
            direct.close()

    def test_a_database_it_cannot_read_is_read_the_threaded_way(
        self, index: BlindIndex, tmp_path: Path
    ) -> None:
        """A locked, half-migrated or vanished file: the threaded directory, which waits
        for locks and answers Unavailable when it must, answers instead."""
        empty = tmp_path / "empty.db"
        sqlite3.connect(empty).close()
        fallback = _Recording([])
        direct = SqliteDirect(str(empty), deadline=5)
        lookup = SqliteMemberLookup(direct, index=index, fallback=fallback)  # type: ignore[arg-type]
        try:
            assert asyncio.run(lookup.find([UNKNOWN])) == [] and fallback.calls == 1
        finally:
            direct.close()

    @pytest.mark.parametrize("engine", [pytest.param("postgres", marks=pytest.mark.postgres)],
                             indirect=True)  # fmt: skip
    def test_a_connection_the_server_closed_is_replaced_at_once(
        self, engine: Engine, everyone, index: BlindIndex
    ) -> None:
        """A restart or a failover closes the pool's connections: the next lookup answers."""
        url = engine.url.render_as_string(hide_password=False)
        asked = everyone[0].identifiers

        async def look() -> tuple[list[EligibilityFacts], list[EligibilityFacts]]:
            pool = postgres_pool(url, size=1, deadline=5)
            await pool.open(wait=True)
            lookup = PostgresMemberLookup(PostgresDirect(pool, deadline=5), index=index)
            try:
                before = await lookup.find(asked)
                with engine.connect() as admin:
                    ended = admin.exec_driver_sql(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        f"WHERE application_name = '{APPLICATION}' AND datname = current_database()"
                    ).scalar_one()
                    assert ended == 1
                return before, await lookup.find(asked)
            finally:
                await pool.close()

        before, after = asyncio.run(look())
        assert same(after) == same(before) and before

    @pytest.mark.parametrize("engine", [pytest.param("postgres", marks=pytest.mark.postgres)],
                             indirect=True)  # fmt: skip
    def test_a_silent_server_is_given_up_at_the_deadline_then_answers_again(
        self, engine: Engine, everyone, index: BlindIndex
    ) -> None:
        """A server that accepts and never answers: the lookup is Unavailable at its deadline,
        not after psycopg's own cancel of the statement (up to ten seconds more), and the
        next lookup once the server answers again is answered."""
        proxy = TcpProxy(("127.0.0.1", engine.url.port or 5432))
        proxy.start()
        url = engine.url.set(host="127.0.0.1", port=proxy.port)
        asked = everyone[0].identifiers

        async def look() -> tuple[list[EligibilityFacts], float, list[EligibilityFacts]]:
            pool = postgres_pool(url.render_as_string(hide_password=False), size=1, deadline=1)
            await pool.open(wait=True)
            lookup = PostgresMemberLookup(PostgresDirect(pool, deadline=1), index=index)
            try:
                before = await lookup.find(asked)
                proxy.hang()
                started = time.monotonic()
                with pytest.raises(Unavailable, match="trop lente"):
                    await lookup.find(asked)
                took = time.monotonic() - started
                proxy.restore()
                return before, took, await lookup.find(asked)
            finally:
                proxy.restore()
                await pool.close()

        try:
            before, took, after = asyncio.run(look())
        finally:
            proxy.cut()
        assert took < 4, f"given up after {took:.1f} s for a deadline of 1 s"
        assert same(after) == same(before) and before

    @pytest.mark.postgres
    def test_postgres_unreachable(self, index: BlindIndex) -> None:
        pool = postgres_pool("postgresql+psycopg://nobody@127.0.0.1:1/none", size=1, deadline=1)

        async def look() -> None:
            await pool.open(wait=False)
            try:
                await PostgresMemberLookup(PostgresDirect(pool, deadline=1), index=index).find(
                    [UNKNOWN]
                )
            finally:
                await pool.close()

        with pytest.raises(Unavailable):
            asyncio.run(look())


class _Recording:
    """A directory that answers the same every time and counts its calls."""

    def __init__(self, answer: list[EligibilityFacts]) -> None:
        self.answer, self.calls = answer, 0

    async def find(self, identifiers: object) -> list[EligibilityFacts]:
        self.calls += 1
        return self.answer
