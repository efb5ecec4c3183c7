"""`make bench-replicas`: warm eligibility through HAProxy, one replica then two.

Each run starts the stack of tests/e2e/replica_stack.py (replicas on PostgreSQL and Redis, a
worker, HAProxy round-robin), asks a token, warms the answers of WARM patients, then drives the
balancer with wrk: /healthz (the ceiling through the balancer), then eligibility with a warm
cache. Rate limits are set out of reach: the figures are the replicas' capacity.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import httpx
import orjson

from bench import wrk
from bench.setup import request_bodies
from tests.e2e.replica_stack import Replicas, replica_stack
from tests.e2e.support import token_form

UNLIMITED = {"AMO_RATE_LIMIT_PER_SECOND": "1000000", "AMO_RATE_LIMIT_BURST": "1000000"}


def main(argv: list[str] | None = None) -> int:
    """Measure each replica count in turn and print one line per scenario."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warm", type=int, default=300, help="patients asked over and over")
    args = parser.parse_args(argv)
    print(f"{'replicas':>8} {'scenario':<8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} errors")
    failed = False
    for count in args.replicas:
        with (
            tempfile.TemporaryDirectory(prefix="amo-replicas-") as tmp,
            replica_stack(Path(tmp), count, **UNLIMITED) as stack,
        ):
            for result in _measure(stack, Path(tmp), args):
                failed |= result.errors > 0
                print(f"{count:>8} {result.name:<8} {result.requests_per_second:>8.0f} "
                      f"{result.p50_ms:>7.1f} {result.p99_ms:>7.1f} "
                      f"{result.errors}")  # fmt: skip
                sys.stdout.flush()
    return 1 if failed else 0


def _measure(stack: Replicas, work: Path, args: argparse.Namespace) -> list[wrk.Result]:
    form = token_form(stack.state.pharmacy, f"{stack.base}/auth/token")
    token = httpx.post(f"{stack.base}/auth/token", data=form).json()["access_token"]
    bodies = request_bodies(_patients(stack, args.warm))
    url = f"{stack.base}/fhir/CoverageEligibilityRequest/$submit"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    with httpx.Client(timeout=10) as client:
        for body in bodies:
            client.post(url, content=body, headers=headers).raise_for_status()
    seconds, connections = args.seconds, args.connections
    return [
        wrk.run("ceiling", f"{stack.base}/healthz", workdir=work, seconds=seconds,
                connections=connections),
        wrk.run("warm", url, bodies=bodies, token=token, method="POST", workdir=work,
                seconds=seconds, connections=connections),
    ]  # fmt: skip


def _patients(stack: Replicas, count: int) -> list[str]:
    """The first `count` people of the imported registry with an IDCS."""
    found: list[str] = []
    with (stack.state.settings.state_dir / "registry.jsonl").open("rb") as lines:
        for line in lines:
            for member in orjson.loads(line)["members"]:
                if member["identifiers"].get("idcs") and len(found) < count:
                    found.append(member["identifiers"]["idcs"])
    return found


if __name__ == "__main__":
    raise SystemExit(main())
