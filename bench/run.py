"""`make bench`: a real uvicorn (one worker) on loopback, driven by wrk with 32 connections.

Scenarios: a trivial endpoint first (the ceiling), then eligibility with a warm cache and with
a cold cache, then prior authorization of a costly drug the rules grant at once (the exchange,
the prise en charge and its notification in the outbox, committed durably), then a pharmacy's
bill of three ordinary drugs paid at the counter (the exchange, its ledger entry and audit,
committed durably; each bill sent once, with its Idempotency-Key: a bill is payable once, so a
run that outlasts its bills reports the bills sent again as errors); authentication, rate limit
and audit included. Figures are reported as ratios to the ceiling measured in the
same run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench import wrk
from bench.setup import prepare, request_bodies, scratch_database
from devtools.server import free_port, running

IDCS = "https://fhir.tiers-payant.ma/sid/idcs"
# Fewer patients than this granted at once in the warm-up: the scenario would measure a few
# patients over and over, or the data no longer makes the rules grant; either way, stop.
MIN_GRANTED = 50
# Pharmacy bills posted in the warm-up, each checked paid (200, a benefit on every line).
CHECKED_BILLS = 5
SCOPES = "system/CoverageEligibilityRequest.c system/Claim.c"


def main(argv: list[str] | None = None) -> int:
    """Prepare a database, start the gateway, run the scenarios, print the table."""
    args = _args(argv)
    scratch = scratch_database(args.database_url)  # never the server's own database
    with tempfile.TemporaryDirectory(prefix="amo-bench-") as tmp, scratch as database_url:
        work = Path(tmp)
        env = prepare(
            work,
            people=args.people,
            claims=args.claims,
            database_url=database_url,
            redis_url=args.redis_url,
        )
        port = free_port()
        env["AMO_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        env.update(setting.split("=", 1) for setting in args.set)
        with running(env, port, work / "server.log"):
            results = _scenarios(work, env, port, args)
    _print(results, args)
    return 0 if all(r.errors == 0 for r in results) else 1


def _scenarios(
    work: Path, env: dict[str, str], port: int, args: argparse.Namespace
) -> list[wrk.Result]:
    base = f"http://127.0.0.1:{port}"
    token = _token(work, env, base)
    idcs = [line for line in (work / "idcs.txt").read_text().split() if line]
    warm = request_bodies(idcs[: args.warm_patients])
    cold = request_bodies(idcs[args.warm_patients :])
    url = f"{base}/fhir/CoverageEligibilityRequest/$submit"
    _warm_up(url, token, warm)
    pa_url = f"{base}/fhir/Claim/$submit"
    claims = (work / "pa-claims.jsonl").read_bytes().splitlines()
    granted = _granted_at_once(pa_url, token, claims)
    bills = (work / "pharmacy-claims.jsonl").read_bytes().splitlines()
    keys = [_idempotency_key(body) for body in bills]
    _paid(pa_url, token, bills[:CHECKED_BILLS], keys[:CHECKED_BILLS])
    bills, keys = bills[CHECKED_BILLS:], keys[CHECKED_BILLS:]  # paid: never again
    run = dict(workdir=work, seconds=args.seconds, connections=args.connections)
    scenarios: dict[str, Callable[[], wrk.Result]] = {
        "ceiling": lambda: wrk.run("ceiling", f"{base}/healthz", **run),
        "warm": lambda: wrk.run("warm", url, bodies=warm, token=token, method="POST", **run),
        "cold": lambda: wrk.run("cold", url, bodies=cold, token=token, method="POST", **run),
        "pa-costly": lambda: wrk.run(
            "pa-costly", pa_url, bodies=granted, token=token, method="POST", **run
        ),
        "claim-pharmacy": lambda: wrk.run(
            "claim-pharmacy", pa_url, bodies=bills, keys=keys, token=token, method="POST", **run
        ),
    }
    chosen = {"ceiling", *args.only} if args.only else set(scenarios)
    return [scenario() for name, scenario in scenarios.items() if name in chosen]


def _idempotency_key(body: bytes) -> str:
    """The key a pharmacy's software would send with a bill: one per bill, from its number."""
    return f"idem-{orjson.loads(body)['identifier'][0]['value']}"


def _paid(url: str, token: str, bills: list[bytes], keys: list[str]) -> None:
    """Post a few bills; each must be paid: 200, complete, a benefit on every line. Anything
    else stops the bench: the scenario would measure refusals, not payments."""
    if len(bills) < CHECKED_BILLS:
        raise SystemExit(f"claim-pharmacy: {len(bills)} bills written, {CHECKED_BILLS} needed")
    with httpx.Client(timeout=10) as client:
        for body, key in zip(bills, keys, strict=True):
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/fhir+json",
                "Idempotency-Key": key,
            }
            answer = client.post(url, content=body, headers=headers)
            paid = answer.status_code == 200 and _all_paid(answer.json())
            if not paid:
                raise SystemExit(
                    f"claim-pharmacy warm-up: a bill not paid: {answer.status_code} "
                    f"{answer.text[:600]}"
                )
    print(f"claim-pharmacy: {len(bills)} bills checked paid", file=sys.stderr)


def _all_paid(response: dict[str, Any]) -> bool:
    """A ClaimResponse paying something on every line, its payment announced."""
    items = response.get("item") or []
    return (
        response.get("outcome") == "complete"
        and "payment" in response
        and bool(items)
        and all(_benefit(item) > 0 for item in items)
    )


def _warm_up(url: str, token: str, bodies: list[bytes]) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    with httpx.Client(timeout=10) as client:
        for body in bodies:
            answer = client.post(url, content=body, headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"warm-up failed: {answer.status_code} {answer.text[:300]}")


def _granted_at_once(url: str, token: str, claims: list[bytes]) -> list[bytes]:
    """Post each Claim once; keep those the rules granted at once (outcome complete, a
    preAuthRef, a benefit granted on the item). Too few kept stops the bench."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    kept, other = [], None
    with httpx.Client(timeout=10) as client:
        for body in claims:
            answer = client.post(url, content=body, headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"PA warm-up failed: {answer.status_code} {answer.text[:300]}")
            if _granted(answer.json()):
                kept.append(body)
            else:
                other = other or answer.json()
    if len(kept) < MIN_GRANTED:
        said = orjson.dumps(other).decode()[:600] if other else "no Claim to post"
        raise SystemExit(
            f"pa-costly: {len(kept)} of {len(claims)} Claims granted at once, at least "
            f"{MIN_GRANTED} needed; one answer that was not: {said}"
        )
    print(f"pa-costly: {len(kept)} of {len(claims)} Claims granted at once", file=sys.stderr)
    return kept


def _granted(response: dict[str, Any]) -> bool:
    """A ClaimResponse granting every line at once: complete, a reference, a benefit each."""
    items = response.get("item") or []
    return (
        response.get("outcome") == "complete"
        and bool(response.get("preAuthRef"))
        and bool(items)
        and all(_benefit(item) > 0 for item in items)
    )


def _benefit(item: dict[str, Any]) -> float:
    """What an item's benefit adjudication grants: its quantity (a prise en charge) or its
    amount (a bill); 0 when it has none."""
    for adjudication in item.get("adjudication", []):
        codes = {c.get("code") for c in adjudication.get("category", {}).get("coding", [])}
        if "benefit" in codes:
            amount = adjudication.get("amount", {}).get("value")
            return float(adjudication.get("value", amount or 0))
    return 0.0


def _token(work: Path, env: dict[str, str], base: str) -> str:
    from gateway.commands.client import sign_assertion

    assertion = sign_assertion(
        work / "client-key.jwk.json", env["BENCH_CLIENT_ID"], f"{base}/auth/token"
    )
    form = {
        "grant_type": "client_credentials",
        "scope": SCOPES,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }
    answer = httpx.post(f"{base}/auth/token", data=form, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _print(results: list[wrk.Result], args: argparse.Namespace) -> None:
    ceiling = results[0].requests_per_second
    backend = "PostgreSQL" if args.database_url else "SQLite"
    cache = "Redis" if args.redis_url else "in-process"
    print(
        f"\nAMO gateway benchmark — {date.today()} — 1 uvicorn worker, "
        f"{args.connections} connections, {args.seconds} s per scenario, {backend}, cache {cache}"
    )
    print(
        f"{'scenario':<14} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} "
        f"{'errors':>7} {'repeats':>7}"
    )
    for r in results:
        ratio = r.requests_per_second / ceiling if ceiling else 0.0
        print(
            f"{r.name:<14} {r.requests_per_second:>10,.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{ratio:>7.3f} {r.errors:>7} {r.repeats:>7}"
        )
    print(orjson.dumps({r.name: r.__dict__ for r in results}).decode())


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--warm-patients", type=int, default=500)
    parser.add_argument(
        "--claims",
        type=int,
        default=20_000,
        help="pharmacy bills written, one per covered patient; each is sent once, and any sent"
        " again is reported as a repeat (an error): raise it for long runs",
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server to bench on, e.g. postgresql+psycopg://postgres@127.0.0.1/test"
        " (a scratch database is created on it and dropped after)",
    )
    parser.add_argument("--redis-url", help="e.g. redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--set", action="append", default=[], metavar="AMO_NAME=VALUE",
        help="a setting of the served gateway, e.g. AMO_DIRECT_MEMBER_LOOKUP=false (before/after)",
    )  # fmt: skip
    parser.add_argument(
        "--only", action="append", default=[], metavar="SCENARIO",
        help="run these scenarios only (the ceiling always runs): warm, cold, pa-costly, ...",
    )  # fmt: skip
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(main())
