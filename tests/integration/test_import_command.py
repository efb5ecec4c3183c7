"""`amo-gateway members import` with worker processes, as a command: it imports, and a worker
killed mid-import makes it fail with nothing stored instead of hanging."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from adapters.population import write_population
from adapters.registry_parallel import SMALL_FILE_BYTES
from devtools.processes import children
from gateway.bootstrap import open_storage
from gateway.commands import admin
from gateway.settings import Settings

PEOPLE = 12_000  # a file past SMALL_FILE_BYTES: the command starts its workers


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated registry file big enough to be read by worker processes."""
    path = tmp_path_factory.mktemp("registry") / "population.jsonl"
    write_population(path, seed=17, people=PEOPLE, today=date.today())
    assert path.stat().st_size > SMALL_FILE_BYTES
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A migrated SQLite state, as the command reads it from its environment."""
    values = {
        "AMO_STATE_DIR": str(tmp_path),
        "AMO_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        "AMO_LOG_LEVEL": "WARNING",
    }
    admin.run_migrations(Settings.from_env(values))
    return {**os.environ, **values}


def members(env: dict[str, str]) -> int:
    """How many members the state holds."""
    settings = Settings.from_env(env)
    with open_storage(settings) as storage, storage.uow() as uow:
        return uow.members.count()


def command(registry: Path) -> list[str]:
    """The import, two workers."""
    return [sys.executable, "-m", "gateway.cli", "members", "import", str(registry), "--quiet"]


class TestImportCommand:
    def test_the_workers_import_the_whole_file(self, registry: Path, env: dict[str, str]) -> None:
        done = subprocess.run(
            [*command(registry), "--workers", "2"], env=env, capture_output=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        assert f"{PEOPLE:,} personnes" in done.stdout.decode()
        assert b"par processus de lecture" in done.stdout
        assert members(env) == PEOPLE

    def test_a_worker_killed_fails_the_command_with_nothing_stored(
        self, registry: Path, env: dict[str, str]
    ) -> None:
        child = subprocess.Popen(
            [*command(registry), "--workers", "2"], env=env, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while not (workers := children(child.pid)) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert workers, "no worker started"
        os.kill(workers[0], signal.SIGKILL)
        _, stderr = child.communicate(timeout=120)  # fails, never hangs
        assert child.returncode != 0
        assert "rien n'a été enregistré" in stderr.decode()
        assert members(env) == 0

    def test_other_keys_than_the_stored_members_ones_fail_clearly_with_nothing_changed(
        self, tmp_path: Path, env: dict[str, str]
    ) -> None:
        small = tmp_path / "small.jsonl"
        write_population(small, seed=3, people=50, today=date.today())
        first = subprocess.run(command(small), env=env, capture_output=True, timeout=120)
        assert first.returncode == 0, first.stderr
        # The same database, but the secrets of another state directory: other keys.
        other = {**env, "AMO_STATE_DIR": str(tmp_path / "elsewhere")}
        again = subprocess.run(command(small), env=other, capture_output=True, timeout=120)
        assert again.returncode == 1
        message = again.stderr.decode()
        assert "rien n'a été enregistré" in message and "AMO_DATA_KEYS" in message
        assert "Traceback" not in message
        assert members(env) == 50
        with open_storage(Settings.from_env(env)) as storage, storage.uow() as uow:
            assert uow.members.version() == 1  # the failed import did not advance it
