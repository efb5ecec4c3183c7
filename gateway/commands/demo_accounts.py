"""The demo's people in the extranet: a pharmacist and the admin of the demo pharmacy, a CNSS
medical reviewer and two CNSS finance officers (one proposes, the other approves), with
passwords drawn once and kept in the demo's folder (printed at every start: it is a demo, on
its own database)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import orjson

from domain.errors import Conflict
from gateway.commands.users import add_user
from gateway.settings import Settings

ACCOUNTS_FILE = "portal-accounts.json"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """One person to sign in as."""

    who: str  # what the demo prints
    email: str
    password: str
    area: str  # portal | console


def demo_people(pharmacy: str) -> list[tuple[str, str, str, str, str]]:
    """(who, org, email, role, area) of each demo person; `pharmacy` is its client id."""
    return [
        ("Pharmacien (Pharmacie Atlas)", pharmacy, "pharmacien@atlas.demo.ma", "pharmacist",
         "portal"),
        ("Administrateur (Pharmacie Atlas)", pharmacy, "admin@atlas.demo.ma", "admin", "portal"),
        ("Médecin contrôleur CNSS", "CNSS", "controle@cnss.demo.ma", "reviewer", "console"),
        ("Finances CNSS", "CNSS", "finances@cnss.demo.ma", "finance", "console"),
        # A change of bank account takes effect when a second person approves it.
        ("Finances CNSS (2e approbation)", "CNSS", "finances2@cnss.demo.ma", "finance",
         "console"),
    ]  # fmt: skip


def ensure_accounts(settings: Settings, pharmacy: str) -> list[DemoAccount]:
    """Create the demo's accounts once; their passwords, as first drawn."""
    path = settings.state_dir / ACCOUNTS_FILE
    kept = _read(path)
    found = []
    for who, org, email, role, area in demo_people(pharmacy):
        password = kept.get(email) or secrets.token_urlsafe(12)
        try:
            add_user(settings, org=org, email=email, role=role, password=password)
        except Conflict:
            if email not in kept:  # made by another means: its password is not ours to print
                continue
        kept[email] = password
        found.append(DemoAccount(who, email, password, area))
    _write(path, kept)
    return found


def account_lines(settings: Settings, people: list[DemoAccount]) -> list[str]:
    """What the demo prints about the extranet."""
    base = settings.public_url.rstrip("/")
    lines = [
        f"  Portail prestataires {base}/portal   Console payeurs {base}/console",
        "  Comptes de démonstration (adresse, mot de passe) :",
    ]
    lines += [f"    {p.who:<30} {p.email:<28} {p.password}  ({base}/{p.area})" for p in people]
    return lines


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    loaded = orjson.loads(path.read_bytes())
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _write(path: Path, kept: dict[str, str]) -> None:
    path.write_bytes(orjson.dumps(kept, option=orjson.OPT_INDENT_2))
    os.chmod(path, 0o600)  # passwords: the demo's owner only
