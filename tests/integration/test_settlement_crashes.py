"""`amo-gateway settle` killed dead (SIGKILL) at named and random points, then run again
until it finishes: every claim paid exactly once, the ledger balanced, each file's control
totals those of the ledger.

The named points run the real command in a subprocess. The random points (many seeds) run
the same command line in a child forked from a process that has the modules already imported
(tests/cli_children.py): a process start costs more than the cycle itself. Both on SQLite and
on PostgreSQL (each state a database cloned from a seeded template). AMO_TEST_CRASH_SEEDS
sets how many seeds per backend (default 100: 200 crash sequences, beside the state machine's
examples).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from adapters.crypto import BlindIndex, FieldCipher, new_key, parse_keyring
from adapters.sql import SqlUnitOfWorkFactory, make_engine
from gateway.commands import admin
from gateway.settings import Settings
from tests.bank_documents import Booked, camt054
from tests.cli_children import run_cli
from tests.integration.conftest import POSTGRES_URL, unavailable
from tests.settlement_world import CYCLE, DEBTOR, accept, add_provider, assert_settled, ledger

SEEDS = int(os.environ.get("AMO_TEST_CRASH_SEEDS", "100"))
CLAIMS = [("P1", "a", 10_000), ("P1", "b", 2_500), ("P2", "c", 7_000), ("P3", "d", 1_234)]
SOURCES = [f"{p}:{c}" for p, c, _ in CLAIMS]
MAX_RUNS = 12
CRASHING_RUNS = 4  # runs of a seed that may be killed


URL_FILE = "database-url"  # a state's database when it is not its own SQLite file


def _server_run(sql: str) -> None:
    """A statement on the PostgreSQL server itself (creating or dropping a database)."""
    server = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT",
                           connect_args={"connect_timeout": 3})  # fmt: skip
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(sql)
    finally:
        server.dispose()


def _database(root: Path, name: str, template: str | None = None) -> None:
    """A database of that name on the server for the state at root (a clone of `template`)."""
    clone = f' TEMPLATE "{template}"' if template else ""
    try:
        _server_run(f'CREATE DATABASE "{name}"{clone}')
    except OperationalError as error:
        unavailable(f"PostgreSQL unreachable at {POSTGRES_URL}: {error.orig}")
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    (root / URL_FILE).write_text(url)


def _drop(root: Path) -> None:
    """The state's database dropped, if it has one on the server."""
    url = root / URL_FILE
    if url.exists():
        _server_run(f'DROP DATABASE IF EXISTS "{make_url(url.read_text()).database}" WITH (FORCE)')


def _copy(template: Path, root: Path) -> None:
    """The template state copied to root: its files, and its database cloned."""
    shutil.copytree(template, root)
    if (template / URL_FILE).exists():
        name = make_url((template / URL_FILE).read_text()).database
        _database(root, f"amo_crash_{uuid.uuid4().hex[:12]}", template=name)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Path]:  # fmt: skip
    """A migrated, seeded state: providers with approved accounts, claims due."""
    root = tmp_path_factory.mktemp(f"settlement-template-{request.param}")
    if request.param == "postgres":
        _database(root, f"amo_crash_template_{uuid.uuid4().hex[:12]}")
    settings = Settings.from_env(_env(root)).with_secrets()
    admin.run_migrations(settings)
    engine = make_engine(settings.database_url)
    keys = parse_keyring(f"k1:{new_key()},idx:{new_key()}")
    factory = SqlUnitOfWorkFactory(
        engine, cipher=FieldCipher(keys, "k1"), index=BlindIndex(keys["idx"]),
        audit_stream_id="seed",
    )  # fmt: skip
    for provider in ("P1", "P2", "P3"):
        add_provider(factory, provider)
    for provider, claim, centimes in CLAIMS:
        accept(factory, provider, claim, centimes, CYCLE)
    engine.dispose()
    yield root
    _drop(root)


def _env(root: Path, crash: str = "") -> dict[str, str]:
    return {
        "AMO_STATE_DIR": str(root),
        "AMO_DATABASE_URL": _url(root),
        "AMO_SETTLEMENT_DIR": str(root / "settlement"),
        "AMO_SETTLEMENT_DEBTORS": f"CNSS={DEBTOR.value}",
        "AMO_SETTLEMENT_CRASH_AT": crash,
        "AMO_LOG_LEVEL": "WARNING",
    }


def _url(root: Path) -> str:
    url = root / URL_FILE
    return url.read_text() if url.exists() else f"sqlite:///{root / 'gateway.db'}"


@pytest.fixture
def state(template: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the template state of its own."""
    root = tmp_path / "state"
    _copy(template, root)
    yield root
    _close_checks()
    _drop(root)


_OPEN: list[Engine] = []  # the checks' engines, closed before their database is dropped


def _close_checks() -> None:
    while _OPEN:
        _OPEN.pop().dispose()


def factory(root: Path) -> SqlUnitOfWorkFactory:
    keys = parse_keyring(f"k1:{new_key()},idx:{new_key()}")
    engine = make_engine(_url(root))
    _OPEN.append(engine)
    return SqlUnitOfWorkFactory(
        engine, cipher=FieldCipher(keys, "k1"), index=BlindIndex(keys["idx"]),
        audit_stream_id="check",
    )  # fmt: skip


def subprocess_cli(root: Path, *args: str, crash: str = "") -> int:
    """The real command in a process of its own."""
    env = {**os.environ, **_env(root, crash)}
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args], env=env, capture_output=True, timeout=120
    )
    return done.returncode


def forked_cli(root: Path, *args: str, crash: str = "") -> int:
    """The same command line in a child forked from a process without threads, with the
    modules imported (tests/cli_children.py): its exit status, -9 when killed."""
    return run_cli(_env(root, crash), args)


SETTLE = ("settle", "--payer", "CNSS", "--date", CYCLE.isoformat(), "--quiet")


class TestNamedCrashes:
    @pytest.mark.parametrize(
        "point", ["batch-created", "ledger-posted", "file-written", "batch-filed"]
    )
    def test_killed_then_run_again(self, state: Path, point: str) -> None:
        assert subprocess_cli(state, *SETTLE, crash=point) == -signal.SIGKILL
        assert forked_cli(state, *SETTLE) == 0
        assert_settled(factory(state), state / "settlement", SOURCES)
        assert len(list((state / "settlement").glob("*.xml"))) == 1

    def test_statement_killed_after_import_then_imported_again(self, state: Path) -> None:
        assert forked_cli(state, *SETTLE) == 0
        uow_factory = factory(state)
        e2e = {p.source.split(":")[0]: p.id.removeprefix("payment:")
               for p in ledger(uow_factory).payments()}  # fmt: skip
        statement = state / "camt054.xml"
        statement.write_bytes(
            camt054([Booked(e2e["P1"], 12_500), Booked(e2e["P2"], 7_000, "AC04")], CYCLE)
        )
        assert subprocess_cli(state, "statement", str(statement), crash="statement-imported") == -9
        before = ledger(uow_factory).entries
        assert forked_cli(state, "statement", str(statement)) == 0
        assert ledger(uow_factory).entries == before  # the second import changed nothing
        assert ledger(uow_factory).live_paid() == {"P1:a": 1, "P1:b": 1, "P3:d": 1}
        assert forked_cli(state, *SETTLE) == 0  # P2's claim, paid again in a new batch
        assert_settled(uow_factory, state / "settlement", SOURCES)


# Each seed runs the command once or more: about 50 s in all when run alone, more on a loaded
# machine.
@pytest.mark.timeout(480)
class TestRandomCrashes:
    def test_every_seed_ends_settled(self, template: Path, tmp_path: Path) -> None:
        killed = 0
        for seed in range(SEEDS):
            root = tmp_path / f"seed-{seed}"
            _copy(template, root)
            runs = [forked_cli(root, *SETTLE, crash=f"random:{seed}")]
            while runs[-1] != 0 and len(runs) < MAX_RUNS:
                # Killed again on restart a few times, then left to finish: a loaded machine
                # could otherwise kill every run before its first commit.
                again = f"random:{seed * 1000 + len(runs)}" if len(runs) < CRASHING_RUNS else ""
                runs.append(forked_cli(root, *SETTLE, crash=again))
            assert runs[-1] == 0, (seed, runs)
            assert set(runs[:-1]) <= {-signal.SIGKILL}, (seed, runs)
            killed += len(runs) - 1
            assert_settled(factory(root), root / "settlement", SOURCES)
            _close_checks()
            _drop(root)
            shutil.rmtree(root)
        assert killed >= SEEDS // 4  # the crashes did happen
