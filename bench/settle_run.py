"""`make bench-settle`: settle N accepted claims on PostgreSQL, as finance runs a cycle.

A scratch database gets N claims accepted 40 days ago and due yesterday, spread over the
providers of one payer (each with an approved account), written straight into the ledger
(entries and postings by COPY: the claims themselves are not what is measured). Then
`amo-gateway settle --payer CNSS` runs as its own process, and we report its wall time, its
peak memory (the child's maxrss) and claims per second, and check what it did: every claim in
exactly one transfer, the file's control totals equal to the ledger.

Run with several sizes to see how the cost grows: `--claims 100000 1000000`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from lxml import etree

from bench.setup import scratch_database
from domain.bank_accounts import rib_key
from gateway.commands import admin
from gateway.settings import Settings

PAYER = "CNSS"
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"


@dataclass(frozen=True)
class Run:
    """One settlement measured."""

    claims: int
    providers: int
    seconds: float
    peak_mb: float
    transfers: int
    control_sum_centimes: int


def rib(bank: str, city: str, account: str) -> str:
    """A Moroccan RIB with its key."""
    return f"{bank}{city}{account}{rib_key(bank, city, account)}"


def seed(libpq: str, *, claims: int, providers: int, today: date) -> int:
    """N accepted claims in the ledger and an approved account per provider; the sum due."""
    accepted = datetime.combine(today - timedelta(days=40), datetime.min.time(), UTC)
    due = today - timedelta(days=1)
    total = 0
    with psycopg.connect(libpq) as conn, conn.cursor() as cur:
        with cur.copy("COPY ledger_entry (id, kind, at, source, due) FROM STDIN") as copy:
            for i in range(claims):
                source = f"P{i % providers:05d}:F{i:08d}"
                copy.write_row((f"claim:{source}", "claim", accepted, source, due))
        with cur.copy(
            "COPY ledger_posting (entry_id, position, account, amount_centimes) FROM STDIN"
        ) as copy:
            for i in range(claims):
                provider = f"P{i % providers:05d}"
                entry = f"claim:{provider}:F{i:08d}"
                amount = 5_000 + (i * 7919) % 200_000  # 50 to 2,050 MAD, spread
                total += amount
                copy.write_row((entry, 0, f"benefits:{PAYER}", amount))
                copy.write_row((entry, 1, f"payable:{PAYER}:{provider}", -amount))
        with cur.copy(
            "COPY bank_account (id, provider, rib, status, proposed_by, proposed_at, "
            "approved_by, approved_at) FROM STDIN"
        ) as copy:
            for p in range(providers):
                value = rib("011", "780", f"{p:016d}")
                copy.write_row((f"acct-{p}", f"P{p:05d}", value, "active", "alice", accepted,
                                "bob", accepted))  # fmt: skip
        conn.commit()
        conn.execute("ANALYZE")  # as autovacuum would have, on a ledger that grew over time
    return total


def settle(env: dict[str, str], today: date, log: Path) -> tuple[float, float]:
    """Run one cycle as its own process: its wall time and peak memory (MB)."""
    command = [sys.executable, "-m", "gateway.cli", "settle", "--payer", PAYER,
               "--date", today.isoformat()]  # fmt: skip
    full_env = {**{k: v for k, v in os.environ.items() if not k.startswith("AMO_")}, **env}
    started = time.perf_counter()
    with log.open("wb") as out:
        child = subprocess.Popen(command, env=full_env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        kept = Path(tempfile.gettempdir()) / "amo-settle-failed.log"
        kept.write_bytes(log.read_bytes())
        raise SystemExit(f"settle failed (whole log: {kept}):\n{log.read_text()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def checked(libpq: str, folder: Path, claims: int, total: int) -> tuple[int, int]:
    """What the cycle did, checked: each claim in one transfer, the file equal to the ledger."""
    with psycopg.connect(libpq) as conn:
        paid, paid_sum = conn.execute(
            "SELECT count(*), coalesce(sum(amount_centimes), 0) FROM transfer_claim"
            " WHERE NOT rejected"
        ).fetchone()  # type: ignore[misc]
        transfers = conn.execute("SELECT count(*) FROM transfer").fetchone()[0]  # type: ignore[index]
    if (paid, paid_sum) != (claims, total):
        raise SystemExit(f"settled {paid} claims for {paid_sum}, expected {claims} for {total}")
    files = sorted(folder.rglob("*.xml"))
    if len(files) != 1:
        raise SystemExit(f"expected one credit-transfer file, found {files}")
    header = etree.parse(str(files[0])).find(f".//{PAIN}GrpHdr")
    assert header is not None
    count = int(header.findtext(f"{PAIN}NbOfTxs") or 0)
    control = round(float(header.findtext(f"{PAIN}CtrlSum") or 0) * 100)
    if (count, control) != (transfers, total):
        raise SystemExit(f"file totals {count}, {control}: ledger {transfers}, {total}")
    return transfers, control


def one(server: str, claims: int, providers: int) -> Run:
    """A scratch database, seeded, settled, checked."""
    today = date.today()
    with tempfile.TemporaryDirectory(prefix="amo-settle-") as tmp, scratch_database(server) as url:
        assert url is not None
        work = Path(tmp)
        env = {
            "AMO_DATABASE_URL": url,
            "AMO_STATE_DIR": str(work),
            "AMO_SETTLEMENT_DIR": str(work / "settlement"),
            "AMO_SETTLEMENT_DEBTORS": f"{PAYER}={rib('011', '780', '9' * 16)}",
            "AMO_LOG_LEVEL": "WARNING",
        }
        admin.run_migrations(Settings.from_env(env))
        libpq = url.replace("postgresql+psycopg://", "postgresql://", 1)
        total = seed(libpq, claims=claims, providers=providers, today=today)
        seconds, peak = settle(env, today, work / "settle.log")
        transfers, control = checked(libpq, work / "settlement", claims, total)
    return Run(claims, providers, seconds, peak, transfers, control)


def main(argv: list[str] | None = None) -> int:
    """Settle each size once and print the table."""
    parser = argparse.ArgumentParser(prog="bench-settle", description=__doc__)
    parser.add_argument("--claims", type=int, nargs="+", default=[100_000])
    parser.add_argument("--providers", type=int, default=1_500)  # pharmacies in tiers payant
    parser.add_argument("--database-url", default=os.environ.get("AMO_TEST_POSTGRES_URL", SERVER))
    args = parser.parse_args(argv)
    runs = [one(args.database_url, n, args.providers) for n in args.claims]
    print(f"\nSettlement benchmark — {date.today()} — PostgreSQL, one `settle` process, "
          f"payer {PAYER}, {args.providers} providers")  # fmt: skip
    print(f"{'claims':>10} {'seconds':>8} {'claims/s':>9} {'peak MB':>8} {'transfers':>9}")
    for r in runs:
        print(f"{r.claims:>10,} {r.seconds:>8.1f} {r.claims / r.seconds:>9,.0f} "
              f"{r.peak_mb:>8.0f} {r.transfers:>9,}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
