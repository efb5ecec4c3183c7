"""`make bench-import`: a generated registry imported by `amo-gateway members import`.

For each backend (SQLite, then PostgreSQL on a scratch database when a server is given): a
full file of N generated people, then a daily change file (ended affiliations, new ALD
grants, deaths, new households) imported while a gateway serves. Each import runs as its own
process; people per second count the whole command, its start included. Its CPU seconds
count it and its worker processes (the database server's are not counted), per 100,000
people: on a shared machine they vary much less than the wall time. Its peak memory is the
largest sum, sampled, of the proportional set sizes (PSS: a page shared by the forked workers
counts once in all) of the command and its workers. The gateway is asked, before the change
file, about insureds whose affiliation the file ends: each answer is then cached, and the
bench times how long after the import the gateway answers their new standing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.changes import write_changes
from bench.gateway_watch import Watch, watching
from bench.setup import scratch_database
from devtools.processes import children
from gateway.commands import admin
from gateway.settings import Settings

SAMPLED = 20  # ended insureds asked about before and after the change file


@dataclass(frozen=True)
class Run:
    """One import command: what it read, how long it took, its CPU time, its peak memory."""

    label: str
    people: int
    seconds: float
    peak_mb: float
    cpu_seconds: float = 0.0  # the command and its workers, user and system

    def line(self) -> str:
        """A row of the results table."""
        rate = self.people / self.seconds if self.seconds else 0.0
        per_100k = self.cpu_seconds * 100_000 / self.people if self.people else 0.0
        return (
            f"{self.label:<22} {self.people:>11,} {self.seconds:>9.1f} {rate:>10,.0f} "
            f"{self.peak_mb:>9.0f} {per_100k:>9.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    """Generate the files, import them on each backend, print the table."""
    args = _args(argv)
    today = date.today()
    with tempfile.TemporaryDirectory(prefix="amo-bench-import-", dir=args.workdir) as tmp:
        work = Path(tmp)
        population = work / "population.jsonl"
        started = time.monotonic()
        people = admin.generate(population, seed=7, people=args.people, today=today)
        print(f"generated {people:,} people in {time.monotonic() - started:.0f} s", file=sys.stderr)
        changes = work / "changes.jsonl"
        lines, changed, ended = write_changes(
            population, changes, lines=args.change_lines, today=today
        )
        print(f"change file: {lines:,} lines, {changed:,} people", file=sys.stderr)
        for name, server in _backends(args):
            with scratch_database(server) as database_url:
                env = _env(work / name, database_url, args.redis_url, args.workers)
                runs, watch = _backend(name, env, population, people, changes, changed, ended)
                _print(name, runs, watch, lines)
    return 0


def _backend(
    name: str,
    env: dict[str, str],
    population: Path,
    people: int,
    changes: Path,
    changed: int,
    ended: list[str],
) -> tuple[list[Run], Watch]:
    admin.run_migrations(Settings.from_env(env))
    full = _import(f"{name} full file", env, population, people)
    with watching(env, ended[:SAMPLED]) as watch:
        change = _import(f"{name} change file", env, changes, changed)
        watch.until_changed(since=time.monotonic())
    return [full, change], watch


def _backends(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(name, PostgreSQL server) of the backends asked for: SQLite needs no server."""
    chosen = [("SQLite", None)] if "sqlite" in args.backends else []
    if "postgresql" in args.backends and args.database_url:
        chosen.append(("PostgreSQL", args.database_url))
    return chosen


def _import(label: str, env: dict[str, str], path: Path, people: int) -> Run:
    """Run `amo-gateway members import` as a child; its wall time, the CPU time of it and its
    workers, and the peak memory of them all."""
    command = [sys.executable, "-m", "gateway.cli", "members", "import", str(path)]
    started = time.monotonic()
    child = subprocess.Popen(command, env={**os.environ, **env})
    peak = _PeakMemory(child.pid)
    # wait4's usage counts the child and the children it waited for (its workers).
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    peak.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label}: the import failed")
    cpu = usage.ru_utime + usage.ru_stime
    run = Run(label, people, seconds, max(peak.mb, usage.ru_maxrss / 1024), cpu)
    print(f"done: {run.line()}", file=sys.stderr)  # kept should a later step fail
    return run


class _PeakMemory:
    """The largest PSS sum of a process and its children, sampled every quarter second."""

    def __init__(self, pid: int) -> None:
        self.mb = 0.0
        self._pid = pid
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling."""
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._done.wait(0.25):
            pids = [self._pid, *children(self._pid)]
            self.mb = max(self.mb, sum(_pss_kib(pid) for pid in pids) / 1024)


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _env(
    state: Path, database_url: str | None, redis_url: str | None, workers: int | None
) -> dict[str, str]:
    state.mkdir(parents=True, exist_ok=True)
    env = {
        "AMO_STATE_DIR": str(state),
        "AMO_DATABASE_URL": database_url or f"sqlite:///{state / 'gateway.db'}",
        "AMO_RATE_LIMIT_PER_SECOND": "1000000",
        "AMO_RATE_LIMIT_BURST": "1000000",
        "AMO_LOG_LEVEL": "WARNING",
    }
    if redis_url:
        env["AMO_REDIS_URL"] = redis_url
    if workers is not None:
        env["AMO_IMPORT_WORKERS"] = str(workers)
    return env


def _print(name: str, runs: list[Run], watch: Watch, lines: int) -> None:
    load = os.getloadavg()
    print(f"\nregistry import — {date.today()} — {name} — load average {load[0]:.2f}")
    print(
        f"{'import':<22} {'people':>11} {'seconds':>9} {'people/s':>10} {'peak MB':>9} "
        f"{'CPU s/100k':>10}"
    )
    for run in runs:
        print(run.line())
    print(f"change file: {lines:,} lines; {watch.summary()}")


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.import_run", description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--change-lines", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server, e.g. postgresql+psycopg://postgres@127.0.0.1/test"
        " (a scratch database is created on it and dropped after); without it, SQLite only",
    )
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="which of sqlite,postgresql to bench"
    )
    parser.add_argument("--redis-url", help="a shared cache for the gateway and the imports")
    parser.add_argument(
        "--workers",
        type=int,
        help="the imports' reading processes (default: one per core; 0: none)",
    )
    parser.add_argument("--workdir", help="where the generated files go (default: the temp dir)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(main())
