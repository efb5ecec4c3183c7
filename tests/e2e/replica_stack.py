"""Two or more gateway replicas on PostgreSQL and Redis, one worker, HAProxy in front.

`python -m tests.e2e.replica_stack` (`make replicas`) starts it for a person to try, until
Ctrl-C; tests/e2e/test_replicas.py starts it once per module.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from devtools.server import Server, free_port, start, stop
from tests.e2e.services import REDIS_URL, fresh_postgres_database, redis_or_skip, unavailable
from tests.e2e.support import GatewayState, prepare_state
from tests.e2e.test_notifications import WORKER_ENV, worker

HAPROXY = "/usr/sbin/haproxy"
READY_SECONDS = 10.0  # HAProxy starts in milliseconds; its first health checks take 0.5 s

ROOT = Path(__file__).resolve().parents[2]
DEPLOYED = ROOT / "deploy" / "haproxy.cfg"  # the production balancer's configuration
# Here the replicas are on loopback ports rather than behind Docker's DNS, and their health is
# checked every 0.3 s, down after one failure: a killed replica leaves the rotation within a
# second. Everything else is the production file as it is.
TESTED = {
    "    bind :8080": "    bind 127.0.0.1:{port}",
    "    default-server check inter 2s fall 2 rise 1": (
        "    default-server check inter 300ms fall 1 rise 1"
    ),
    "    server-template gateway 8 gateway:8000 resolvers docker init-addr none": "{servers}",
}


@dataclass
class Replicas:
    """The balancer's URL, each replica, the worker and the prepared state."""

    base: str
    replicas: list[Server]
    worker: subprocess.Popen[bytes]
    state: GatewayState
    balancer: subprocess.Popen[bytes]


def haproxy_or_skip() -> str:
    """HAProxy's path, or a skip (a failure under CI) naming how to install it."""
    found = shutil.which("haproxy") or (HAPROXY if Path(HAPROXY).exists() else None)
    if not found:
        unavailable("haproxy absent: make replicas installs it (apt-get install haproxy)")
    return str(found)


def balancer_config(port: int, replica_ports: list[int]) -> str:
    """The production configuration (deploy/haproxy.cfg), round-robin over the replicas on
    loopback."""
    config = DEPLOYED.read_text(encoding="utf-8")
    servers = "\n".join(f"    server r{n} 127.0.0.1:{p}" for n, p in enumerate(replica_ports))
    for line, tested in TESTED.items():
        if line + "\n" not in config:
            raise RuntimeError(f"deploy/haproxy.cfg no longer has the line {line.strip()!r}")
        config = config.replace(line + "\n", tested.format(port=port, servers=servers) + "\n")
    return config


@contextmanager
def balancer(haproxy: str, port: int, replica_ports: list[int], work: Path) -> Iterator[
    subprocess.Popen[bytes]
]:  # fmt: skip
    """HAProxy in the foreground (no system service), stopped on leaving."""
    config = work / "haproxy.cfg"
    config.write_text(balancer_config(port, replica_ports))
    with (work / "haproxy.log").open("ab") as out:
        process = subprocess.Popen([haproxy, "-db", "-f", str(config)], stdout=out, stderr=out)
    try:
        _wait_until_balanced(process, f"http://127.0.0.1:{port}", len(replica_ports))
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_balanced(process: subprocess.Popen[bytes], base: str, replicas: int) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"haproxy exited ({process.returncode}): see haproxy.log")
        try:  # every replica seen up: as many 200 in a row as there are replicas
            if all(httpx.get(f"{base}/healthz", timeout=1).status_code == 200
                   for _ in range(replicas)):  # fmt: skip
                time.sleep(0.7)  # two health-check rounds: each server is marked up
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"haproxy did not answer within {READY_SECONDS:.0f} s")


@contextmanager
def replica_stack(work: Path, count: int = 2, **env: str) -> Iterator[Replicas]:
    """`count` replicas and a worker on a fresh PostgreSQL database and the test Redis."""
    haproxy = haproxy_or_skip()
    redis_or_skip()
    with fresh_postgres_database() as database_url, ExitStack() as running:
        port, ports = free_port(), [free_port() for _ in range(count)]
        base = f"http://127.0.0.1:{port}"
        state = prepare_state(work, base, AMO_DATABASE_URL=database_url, AMO_REDIS_URL=REDIS_URL,
                              AMO_TRUSTED_PROXIES="127.0.0.1", **WORKER_ENV, **env)  # fmt: skip
        servers = [_replica(running, state.env, p, work / f"replica-{n}.log")
                   for n, p in enumerate(ports)]  # fmt: skip
        process = running.enter_context(worker(state.env, work / "worker.log"))
        proxy = running.enter_context(balancer(haproxy, port, ports, work))
        yield Replicas(base, servers, process, state, proxy)


def _replica(running: ExitStack, env: Mapping[str, str], port: int, log: Path) -> Server:
    server = start(env, port, log)
    running.callback(stop, server)
    return server


def main() -> None:
    """Start the stack and print how to reach it, until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("var/replicas"), help="emptied first")
    parser.add_argument("--set", action="append", default=[], metavar="AMO_NAME=VALUE",
                        help="a setting of every replica and the worker (repeatable)")  # fmt: skip
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    settings = dict(pair.split("=", 1) for pair in args.set)
    with replica_stack(args.work.resolve(), args.replicas, **settings) as stack:
        pharmacy = stack.state.pharmacy
        print(f"balancer  {stack.base}  (HAProxy, round-robin)")
        for n, server in enumerate(stack.replicas):
            print(f"replica {n} {server.url}  pid {server.process.pid}  log {server.log}")
        print(f"worker    pid {stack.worker.pid}; state and logs in {args.work}")
        print(f"client    {pharmacy.client_id}, key {pharmacy.key}")
        print(f"assertion .venv/bin/amo-gateway client assertion --key {pharmacy.key} "
              f"--client-id {pharmacy.client_id} --aud {stack.base}/auth/token")  # fmt: skip
        print("Ctrl-C stops everything and drops the database.")
        try:
            while all(s.process.poll() is None for s in stack.replicas):
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
