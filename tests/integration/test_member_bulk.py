"""The registry import's batch path: what it stores reads back as the member-by-member path
stores it, on SQLite and PostgreSQL, and a failed file leaves nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Connection, Engine

from adapters.crypto import BlindIndex, FieldCipher
from adapters.population import write_population
from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from adapters.registry_files import read_entries
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.member_bulk import MemberBatchWriter
from adapters.sql.member_codec import encode_facts, encode_person
from adapters.sql.members import identifier_index
from domain.errors import InvalidRequest
from domain.members import IdentifierKind, PersonIdentifier
from domain.records import RegistryEntry
from domain.reference import ReferenceData
from domain.services.registry import PROGRESS_EVERY, ImportReport, store_registry
from tests.integration.builders import CIN, IDCS, entry, insured
from tests.pipeline_fakes import FakeDecisionCache

TODAY = date(2026, 3, 2)
PEOPLE = 2_000  # several batches of PROGRESS_EVERY households


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    """The dataset of the repository's refdata/ files."""
    return load_reference_files(DEFAULT_REFDATA_DIR)


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated registry file of PEOPLE people."""
    path = tmp_path_factory.mktemp("registry") / "population.jsonl"
    write_population(path, seed=11, people=PEOPLE, today=TODAY)
    return path


@pytest.fixture(autouse=True)
def registry_version(engine: Engine) -> None:
    """The registry's version row, as the migrations seed it (the tables were emptied)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO registry_version (id, version) VALUES (1, 0)")


def load(path: Path, ref: ReferenceData, uow_factory: SqlUnitOfWorkFactory) -> ImportReport:
    """Import a registry file through the batch path."""
    entries = read_entries(path, ref, TODAY)
    return store_registry(entries, uow=uow_factory(), cache=FakeDecisionCache())


def everyone(path: Path, ref: ReferenceData) -> list[RegistryEntry]:
    """Every entry of a registry file."""
    return [e for _line, entries in read_entries(path, ref, TODAY) for e in entries]


def with_bad_last_line(population: Path, tmp_path: Path) -> Path:
    """The population, then a household whose birth date does not exist."""
    lines = population.read_bytes().splitlines()
    bad = orjson.loads(lines[0])
    bad["members"][0]["birth_date"] = "1980-02-30"
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join([*lines, orjson.dumps(bad)]))
    return path


class TestBatchImport:
    def test_every_member_reads_back_as_stored_one_by_one(
        self,
        population: Path,
        ref: ReferenceData,
        uow_factory: SqlUnitOfWorkFactory,
        engine: Engine,
        cipher: FieldCipher,
    ) -> None:
        report = load(population, ref, uow_factory)
        entries = everyone(population, ref)
        assert report.members == len(entries) == PEOPLE
        assert report.households > PROGRESS_EVERY
        with uow_factory() as uow:
            for e in entries[:: len(entries) // 50]:
                for identifier in e.identifiers:
                    # a double affiliation: two records share the identifier
                    assert e.member in [f.member for f in uow.members.find(identifier)]
                assert uow.members.identifiers_of(e.member.member_id) == e.identifiers
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT member_id, facts, names_enc FROM member")
            stored = {member_id: (facts, bytes(token)) for member_id, facts, token in rows}
        for e in entries:
            facts, token = stored[e.member.member_id]
            assert facts == encode_facts(e.member)
            aad = e.member.member_id.encode()
            assert cipher.decrypt(token, aad=aad) == encode_person(e)

    def test_a_second_import_replaces_and_names_the_old_identifiers(
        self, ref: ReferenceData, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        new_cin = PersonIdentifier(IdentifierKind.CIN, "ZZ999999")
        other = PersonIdentifier(IdentifierKind.IDCS, "5550001112")
        with uow_factory() as uow:
            uow.members.save_all([entry(insured("M-1"), CIN, IDCS), entry(insured("M-2"), IDCS)])
            old = uow.members.save_all(
                [entry(insured("M-1"), new_cin), entry(insured("M-3"), other)]
            )
            uow.commit()
        assert old == {"M-1": (CIN, IDCS)}
        with uow_factory() as uow:
            assert uow.members.find(CIN) == []
            (facts,) = uow.members.find(new_cin)
            assert (facts.member.member_id, facts.member.version) == ("M-1", 2)
            assert [f.member.member_id for f in uow.members.find(IDCS)] == ["M-2"]
            # new beside a replaced one in the same batch: found by its identifier too
            assert [f.member.member_id for f in uow.members.find(other)] == ["M-3"]
            assert uow.members.count() == 3

    def test_a_replaced_member_has_the_index_rows_of_its_new_identifiers_only(
        self, uow_factory: SqlUnitOfWorkFactory, engine: Engine, index: BlindIndex
    ) -> None:
        kept, gained = IDCS, PersonIdentifier(IdentifierKind.CIN, "ZZ999999")
        with uow_factory() as uow:
            uow.members.save_all([entry(insured("M-1"), CIN, kept)])
            uow.commit()
        with uow_factory() as uow:
            uow.members.save_all([entry(insured("M-1"), kept, gained)])
            uow.commit()
        with engine.connect() as connection:
            rows = connection.exec_driver_sql('SELECT "index", member_id FROM member_identifier')
            stored = sorted(tuple(row) for row in rows)
        expected = sorted((identifier_index(index, i), "M-1") for i in (kept, gained))
        assert stored == expected

    def test_a_member_twice_in_a_file_keeps_the_later_line(
        self, ref: ReferenceData, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        line = orjson.loads(_household_line(tmp_path))
        later = orjson.loads(orjson.dumps(line))
        later["members"][0]["sex"] = "unknown"
        path = tmp_path / "twice.jsonl"
        path.write_bytes(orjson.dumps(line) + b"\n" + orjson.dumps(later))
        report = load(path, ref, uow_factory)
        assert report.replaced == len(line["members"])
        member_id = line["members"][0]["member_id"]
        with uow_factory() as uow:
            (identifier, *_) = uow.members.identifiers_of(member_id)
            (facts,) = [f for f in uow.members.find(identifier) if f.member.member_id == member_id]
            assert facts.member.version == 2

    @pytest.mark.parametrize(  # the staging table is PostgreSQL's; SQLite replaces row by row
        "engine", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    )
    def test_batch_after_batch_of_replacements_keeps_one_batch_staged(
        self, engine: Engine, cipher: FieldCipher, index: BlindIndex
    ) -> None:
        """A change file replaces its known members batch after batch in one transaction: the
        staging table must hold one batch, not every batch's dead rows, or each batch's
        UPDATE scans all those before it (a change file's time then grows with its square)."""
        people = [
            entry(insured(f"M-{n}"), PersonIdentifier(IdentifierKind.CIN, f"AB{n:06d}"))
            for n in range(300)
        ]
        staged_pages = []
        with engine.begin() as connection:
            writer = MemberBatchWriter(connection, cipher=cipher, index=index)
            try:
                for _ in range(6):  # the first inserts, the five after replace
                    writer.save(people)
                    writer.settle()
                    if staged_pages or _staged(connection) is not None:
                        staged_pages.append(_staged(connection))
            finally:
                writer.close()
            versions = connection.exec_driver_sql("SELECT DISTINCT version FROM member")
            assert [v for (v,) in versions] == [6]
        assert len(staged_pages) == 5
        assert staged_pages == [staged_pages[0]] * 5

    def test_a_failed_file_leaves_nothing(
        self,
        population: Path,
        ref: ReferenceData,
        uow_factory: SqlUnitOfWorkFactory,
        tmp_path: Path,
    ) -> None:
        with uow_factory() as uow:
            version = uow.members.version()
        with pytest.raises(InvalidRequest, match=r"ligne \d+, members\[0\]\.birth_date"):
            load(with_bad_last_line(population, tmp_path), ref, uow_factory)
        with uow_factory() as uow:
            assert uow.members.count() == 0
            assert uow.members.version() == version

    def test_a_failed_file_keeps_the_members_stored_before(
        self,
        population: Path,
        ref: ReferenceData,
        uow_factory: SqlUnitOfWorkFactory,
        tmp_path: Path,
    ) -> None:
        load(population, ref, uow_factory)
        with pytest.raises(InvalidRequest):
            load(with_bad_last_line(population, tmp_path), ref, uow_factory)
        with uow_factory() as uow:
            assert uow.members.count() == PEOPLE
            (e, *_) = everyone(population, ref)
            (facts,) = uow.members.find(e.identifiers[0])
            assert facts.member.version == 1


def _staged(connection: Connection) -> int | None:
    """The pages of this session's staging table; None before it exists."""
    exists = connection.exec_driver_sql("SELECT to_regclass('pg_temp.member_staged')").scalar()
    if exists is None:
        return None
    size = "SELECT pg_relation_size('pg_temp.member_staged') / current_setting('block_size')::int"
    return int(connection.exec_driver_sql(size).scalar_one())


def _household_line(tmp_path: Path) -> bytes:
    path = tmp_path / "one.jsonl"
    write_population(path, seed=5, people=4, today=TODAY)
    return path.read_bytes().splitlines()[0]
