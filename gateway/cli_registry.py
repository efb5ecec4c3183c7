"""The registry's `amo-gateway` commands: members import, generate-population, and
authorizations key-patients (prises en charge keyed to the registry's members)."""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from gateway.settings import Settings


def registry_commands(sub: Any, add: Callable[..., None]) -> None:
    """Register the commands on the CLI's subparsers, with its `add` helper."""
    members = sub.add_parser("members", help="payer registries").add_subparsers()
    add(members, "import", _members_import, "import a registry file (JSON Lines)", _file_args)
    add(sub, "generate-population", _population, "write a synthetic registry", _pop_args)
    pecs = sub.add_parser("authorizations", help="prises en charge").add_subparsers()
    add(pecs, "key-patients", _authorizations_key, "key those recorded without their patient")


def _members_import(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.admin import import_members

    started = time.monotonic()
    report = import_members(settings, Path(args.file), quiet=args.quiet, workers=args.workers)
    seconds = max(time.monotonic() - started, 1e-6)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    # The largest of the reading processes, if any (each its own, beside the main process).
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    workers = f" + {worker_mb:,.0f} Mo par processus de lecture" if worker_mb else ""
    print(
        f"import terminé : {report.households:,} foyers, {report.members:,} personnes "
        f"(dont {report.replaced:,} déjà connues, mises à jour) en {seconds:,.1f} s "
        f"({report.members / seconds:,.0f} personnes/s), "
        f"mémoire maximale {peak_mb:,.0f} Mo{workers}"
    )
    if report.too_many_to_name:
        print(
            "trop de personnes changées pour les nommer au cache : les réponses en cache ne "
            "sont plus utilisées dès que chaque passerelle lit la nouvelle version du registre "
            f"(sous {settings.registry_poll_seconds:g} s)",
            file=sys.stderr,
        )
    elif not report.cache_invalidated:
        print(
            "cache partagé (Redis) injoignable : les réponses en cache de ces personnes ne "
            "sont plus utilisées dès que chaque passerelle lit la nouvelle version du "
            f"registre (sous {settings.registry_poll_seconds:g} s)",
            file=sys.stderr,
        )
    return 0


def _population(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.admin import generate

    today = date.fromisoformat(args.today) if args.today else date.today()
    count = generate(Path(args.out), seed=args.seed, people=args.people, today=today)
    print(f"{count:,} personnes écrites dans {args.out}")
    return 0


def _authorizations_key(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.patient_keys import key_patients

    report = key_patients(settings)
    print(f"prises en charge rattachées à leur patient : {report.keyed:,}")
    for pid in report.unresolved:
        print(f"{pid} : la demande ne trouve plus d'assuré, elle ne couvre personne")
    for pid in report.changed:
        print(f"{pid} : modifiée pendant le traitement, relancez la commande", file=sys.stderr)
    return 1 if report.changed else 0


def _file_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file")
    p.add_argument("--quiet", action="store_true")
    p.add_argument(
        "--workers",
        type=int,
        help="processes reading the file (default: AMO_IMPORT_WORKERS, else one per core; "
        "0: in the command's own process)",
    )


def _pop_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--people", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--today", help="reference date (ISO); default: today")
    p.add_argument("--out", required=True)
