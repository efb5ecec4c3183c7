"""The registry import read by worker processes stores exactly what the single-process import
stores (members, facts, personal data, identifier indexes, versions), on SQLite and
PostgreSQL; a spoiled line still stops it all with its line number, and a worker that dies
makes it fail with nothing stored."""

from __future__ import annotations

import base64
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine

from adapters.crypto import BlindIndex, FieldCipher, new_key
from adapters.population import write_population
from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from adapters.registry_parallel import ReadingFailed, read_sealed
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.member_bulk import seal, sealed_entry
from domain.errors import InvalidRequest
from domain.records import SealedEntry, StoredEntry
from domain.reference import ReferenceData
from domain.services.registry import ImportReport, store_registry
from tests.integration.builders import CIN, IDCS, child, entry, insured
from tests.pipeline_fakes import FakeDecisionCache

TODAY = date(2026, 3, 2)
PEOPLE = 1_500
BLOCK = 16_384  # bytes: a small file still goes to the workers in many blocks


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    """The dataset of the repository's refdata/ files."""
    return load_reference_files(DEFAULT_REFDATA_DIR)


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated registry file, with a byte order mark, blank lines and no final newline
    (line numbers must still be the file's)."""
    work = tmp_path_factory.mktemp("registry")
    write_population(work / "generated.jsonl", seed=13, people=PEOPLE, today=TODAY)
    lines = (work / "generated.jsonl").read_bytes().splitlines()
    lines[10:10] = [b"", b"   "]
    path = work / "population.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines))
    return path


@pytest.fixture(autouse=True)
def registry_version(engine: Engine) -> None:
    """The registry's version row, as the migrations seed it (the tables were emptied)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO registry_version (id, version) VALUES (1, 0)")


Load = Callable[[Path, int], ImportReport]


@pytest.fixture
def load(
    ref: ReferenceData, uow_factory: SqlUnitOfWorkFactory, cipher: FieldCipher, index: BlindIndex
) -> Load:
    """Import a file single-process (0 workers) or through worker processes."""

    def run(path: Path, workers: int) -> ImportReport:
        households = read_sealed(
            path, ref, TODAY, cipher=cipher, index=index, workers=workers,
            block_bytes=BLOCK, small_file_bytes=0,
        )  # fmt: skip
        return store_registry(households, uow=uow_factory(), cache=FakeDecisionCache())

    return run


def snapshot(engine: Engine, cipher: FieldCipher) -> dict[str, Any]:
    """What the database holds of the registry, personal data decrypted."""
    with engine.connect() as connection:
        members = {
            member_id: (version, facts, cipher.decrypt(bytes(token), aad=member_id.encode()))
            for member_id, version, facts, token in connection.exec_driver_sql(
                "SELECT member_id, version, facts, names_enc FROM member"
            )
        }
        indexes = sorted(
            tuple(row)
            for row in connection.exec_driver_sql(
                'SELECT "index", member_id FROM member_identifier'
            )
        )
        (version,) = connection.exec_driver_sql("SELECT version FROM registry_version").one()
    return {"members": members, "indexes": indexes, "registry_version": version}


def forget_all(engine: Engine) -> None:
    """Empty the registry, back to version 0."""
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM member_identifier")
        connection.exec_driver_sql("DELETE FROM member")
        connection.exec_driver_sql("UPDATE registry_version SET version = 0")


def changes(population: Path, work: Path) -> Path:
    """A change file: facts and identifiers changed, identifiers dropped, households
    unchanged, new households, and one household twice (each member once per batch)."""
    lines = [
        orjson.loads(raw)
        for raw in population.read_bytes().removeprefix(b"\xef\xbb\xbf").splitlines()[:300]
        if raw.strip()
    ]
    for number, household in enumerate(lines):
        first = household["members"][0]
        ids = first["identifiers"]
        if number % 4 == 0:
            first["affiliations"][0]["end"] = "2026-03-01"
        elif number % 4 == 1 and "cin" in ids:
            ids["cin"] = ids["cin"][:-1] + ("1" if ids["cin"][-1] != "1" else "2")
        elif number % 4 == 2 and len(ids) > 1:
            ids.pop(sorted(ids)[0])
    write_population(work / "new.jsonl", seed=29, people=400, today=TODAY)
    fresh = [orjson.loads(raw) for raw in (work / "new.jsonl").read_bytes().splitlines()]
    twice = orjson.loads(orjson.dumps(lines[5]))
    twice["members"][0]["sex"] = "unknown"
    path = work / "changes.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(h) for h in [*lines, *fresh, twice]))
    return path


def with_line(path: Path, work: Path, at: int, line: bytes) -> Path:
    """The file with a line put in at a 0-based position."""
    lines = path.read_bytes().splitlines()
    lines.insert(at, line)
    spoiled = work / "spoiled.jsonl"
    spoiled.write_bytes(b"\n".join(lines))
    return spoiled


class TestParallelImport:
    def test_the_workers_store_what_the_single_process_stores(
        self, population: Path, load: Load, engine: Engine, cipher: FieldCipher
    ) -> None:
        alone = load(population, 0)
        expected = snapshot(engine, cipher)
        forget_all(engine)
        parallel = load(population, 2)
        assert parallel == alone
        assert alone.members == PEOPLE
        assert snapshot(engine, cipher) == expected

    def test_a_change_file_gives_the_same_registry_both_ways(
        self, population: Path, load: Load, engine: Engine, cipher: FieldCipher, tmp_path: Path
    ) -> None:
        change = changes(population, tmp_path)
        reports = []
        for workers in (0, 2):
            forget_all(engine)
            load(population, workers)
            reports.append(load(change, workers))
            if workers == 0:
                expected = snapshot(engine, cipher)
        assert reports[0] == reports[1]
        assert reports[0].replaced > 300  # the known members of 300 lines, one line twice
        after = snapshot(engine, cipher)
        assert after == expected
        assert {version for version, _facts, _names in after["members"].values()} == {1, 2, 3}

    @pytest.mark.parametrize(
        ("spoil", "message"),
        [
            (
                lambda h: h["members"][0].update(birth_date="1980-02-30"),
                r"members\[0\]\.birth_date",
            ),
            (lambda h: h["members"][0]["identifiers"].update(cin="?"), r"identifiers"),
            (None, r"JSON invalide"),
        ],
        ids=["impossible-date", "bad-identifier", "not-json"],
    )
    def test_a_spoiled_line_in_the_middle_stops_it_all_with_its_number(
        self,
        population: Path,
        load: Load,
        engine: Engine,
        cipher: FieldCipher,
        tmp_path: Path,
        spoil: Any,
        message: str,
    ) -> None:
        household = orjson.loads(population.read_bytes().splitlines()[20])  # past the BOM
        if spoil is not None:
            spoil(household)
        bad = orjson.dumps(household) if spoil is not None else b'{"household": '
        at = 300  # a 0-based position past the blank lines: line 301 of the file
        path = with_line(population, tmp_path, at, bad)
        with pytest.raises(InvalidRequest, match=rf"ligne {at + 1}\b.*{message}"):
            load(path, 2)
        assert snapshot(engine, cipher) == {"members": {}, "indexes": [], "registry_version": 0}

    def test_a_worker_killed_mid_import_fails_it_with_nothing_stored(
        self,
        population: Path,
        ref: ReferenceData,
        uow_factory: SqlUnitOfWorkFactory,
        engine: Engine,
        cipher: FieldCipher,
        index: BlindIndex,
    ) -> None:
        households = read_sealed(
            population, ref, TODAY, cipher=cipher, index=index, workers=2,
            block_bytes=2_048, small_file_bytes=0,
        )  # fmt: skip
        with pytest.raises(ReadingFailed):
            store_registry(
                _killing_a_worker(households), uow=uow_factory(), cache=FakeDecisionCache()
            )
        assert multiprocessing.active_children() == []  # the pool is gone, nothing hangs
        assert snapshot(engine, cipher) == {"members": {}, "indexes": [], "registry_version": 0}


def _killing_a_worker(
    households: Iterator[tuple[int, Sequence[StoredEntry]]],
) -> Iterator[tuple[int, Sequence[StoredEntry]]]:
    """The households, a worker process killed after the first one."""
    for number, (line, entries) in enumerate(households):
        if number == 1:
            os.kill(multiprocessing.active_children()[0].pid or 0, signal.SIGKILL)
        yield line, entries


class TestSealedEntries:
    def test_sealed_and_in_process_entries_store_the_same_rows(
        self,
        uow_factory: SqlUnitOfWorkFactory,
        engine: Engine,
        cipher: FieldCipher,
        index: BlindIndex,
    ) -> None:
        people = [entry(insured("M-1"), CIN, IDCS), entry(child("C-1"), family="Bennani")]
        with uow_factory() as uow:
            uow.members.save_all(people)
            uow.commit()
        expected = snapshot(engine, cipher)
        forget_all(engine)
        sealed: list[StoredEntry] = [
            sealed_entry(seal(people[0], cipher, index)),
            people[1],  # a household read carefully sits beside sealed ones in a batch
        ]
        with uow_factory() as uow:
            uow.members.save_all(sealed)
            uow.commit()
        assert snapshot(engine, cipher) == expected

    def test_a_sealed_entry_names_its_identifiers(self, cipher: FieldCipher) -> None:
        row = seal(
            entry(insured("M-1"), CIN, IDCS), cipher, BlindIndex(base64.b64decode(new_key()))
        )
        sealed = sealed_entry(row)
        assert isinstance(sealed, SealedEntry)
        assert (sealed.member_id, sealed.identifiers) == ("M-1", (CIN, IDCS))
