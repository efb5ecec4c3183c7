"""A gateway in its own uvicorn process on loopback, for the end-to-end tests and the benchmark.

The server sees exactly the AMO_* settings given: the caller's own AMO_* variables are not
passed on, so a developer's exported AMO_DATABASE_URL never points a test at another database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# A cold start (imports, migrations check, reference data) takes a few seconds on a busy
# two-core machine; thirty means it is stuck, and the log says why.
READY_TIMEOUT_SECONDS = 30.0
# uvicorn finishes the requests in flight and the lifespan's shutdown (the recorder commits
# what is queued) well within this; past it the process is killed.
STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.1  # between two /healthz probes while starting
PROBE_TIMEOUT_SECONDS = 1.0  # a started gateway answers /healthz in milliseconds
LOG_TAIL_CHARS = 3000  # how much of the server log a start-up failure quotes


@dataclass(frozen=True)
class Server:
    """A running `amo-gateway serve` process."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_command(port: int, *, options: Sequence[str] = (), workers: int = 1) -> list[str]:
    """The command line of `amo-gateway serve` on loopback; `options` go before `serve`."""
    return [
        *(sys.executable, "-m", "gateway.cli", *options, "serve"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
    ]


def server_environment(env: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without its AMO_* variables, plus `env`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("AMO_")}
    return {**inherited, **env}


def start(
    env: Mapping[str, str],
    port: int,
    log: Path,
    *,
    options: Sequence[str] = (),
    workers: int = 1,
    timeout: float = READY_TIMEOUT_SECONDS,
    command: Sequence[str] | None = None,
) -> Server:
    """Start the gateway, its output appended to `log`; returns once /healthz answers 200.

    `command` replaces `amo-gateway serve` (a test serving an app of its own making)."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(command) if command else serve_command(port, options=options, workers=workers),
            env=server_environment(env),
            stdout=out,
            stderr=out,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_until_ready(server, timeout)
    except BaseException:
        stop(server)
        raise
    return server


def _wait_until_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"the gateway exited ({server.process.returncode}):\n{_tail(server)}"
            )
        try:
            if httpx.get(f"{server.url}/healthz", timeout=PROBE_TIMEOUT_SECONDS).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"the gateway did not answer within {timeout:.0f} s:\n{_tail(server)}")


def _tail(server: Server) -> str:
    return server.log.read_text(errors="replace")[-LOG_TAIL_CHARS:]


def stop(server: Server, grace: float = STOP_GRACE_SECONDS) -> None:
    """Terminate the process (SIGTERM: a graceful shutdown), then kill it if it lingers."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def running(
    env: Mapping[str, str],
    port: int,
    log: Path,
    *,
    options: Sequence[str] = (),
    workers: int = 1,
    timeout: float = READY_TIMEOUT_SECONDS,
) -> Iterator[Server]:
    """A started gateway, stopped on leaving the block."""
    server = start(env, port, log, options=options, workers=workers, timeout=timeout)
    try:
        yield server
    finally:
        stop(server)
