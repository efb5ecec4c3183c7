"""The settlement's `amo-gateway` commands: settle, statement, accounts propose|approve."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from domain.bank_accounts import AccountChange
from gateway.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], int]


def settlement_commands(sub: Any, add: Callable[..., None]) -> None:
    """Register the commands on the CLI's subparsers, with its `add` helper."""
    add(sub, "settle", _settle, "run a payer's settlement cycle (pain.001)", _settle_args)
    add(sub, "statement", _statement, "import a camt.053/054 bank statement", _statement_args)
    accounts = sub.add_parser("accounts", help="providers' bank accounts").add_subparsers()
    add(accounts, "propose", _accounts_propose, "propose a provider's account", _propose_args)
    add(accounts, "approve", _accounts_approve, "approve it (another user)", _approve_args)


def _settle(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.settlement import run_cycle

    cycle = date.fromisoformat(args.date) if args.date else date.today()
    report, problems = run_cycle(settings, args.payer, cycle, quiet=args.quiet)
    if report.batch is None:
        print(f"rien à régler pour {args.payer} au {cycle.isoformat()}")
    else:
        total = f"{report.total.as_decimal():.2f}"
        print(f"lot {report.batch} : {report.transfers} virement(s), {total} MAD -> {report.file}")
    for provider in report.without_account:
        print(f"sans compte approuvé, non réglé : {provider}", file=sys.stderr)
    for problem in problems:
        print(f"invariant rompu : {problem}", file=sys.stderr)
    return 1 if problems else 0


def _statement(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.settlement import run_statement

    report = run_statement(settings, Path(args.file))
    print(
        f"relevé importé : {report.executed} exécuté(s), {report.rejected} rejeté(s), "
        f"{report.unchanged} déjà connu(s), {len(report.unknown)} inconnu(s)"
    )
    for e2e in report.unknown:
        print(f"virement inconnu : {e2e}", file=sys.stderr)
    for e2e in report.mismatched:
        print(f"montant différent du virement, laissé en l'état : {e2e}", file=sys.stderr)
    return 0


def _accounts_propose(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.settlement import propose

    change = propose(settings, args.provider, args.rib, args.by, holder=args.holder)
    print(f"compte {_named(change)} proposé pour {args.provider} ({change.id}) : à approuver")
    return 0


def _accounts_approve(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.settlement import approve

    change = approve(settings, args.provider, args.by)
    print(f"compte {_named(change)} de {args.provider} en vigueur, approuvé par {args.by}")
    return 0


def _named(change: AccountChange) -> str:
    """The account as the approver checks it: its IBAN, and its holder when given."""
    return f"{change.rib.iban} ({change.holder})" if change.holder else change.rib.iban


def _settle_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--payer", required=True, help="CNSS, CNOPS...")
    p.add_argument("--date", help="the cycle's date (ISO); default: today")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _statement_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a camt.053 or camt.054 file from the payer's bank")


def _propose_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--provider", required=True)
    p.add_argument("--rib", required=True, help="24-character RIB, or its MA IBAN")
    p.add_argument("--by", required=True, help="the payer-side user proposing it")
    p.add_argument("--holder", default="", help="the account holder's name as the RIB states it")


def _approve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--provider", required=True)
    p.add_argument("--by", required=True, help="a payer-side user other than the proposer")
