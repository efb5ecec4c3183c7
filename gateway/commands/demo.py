"""`amo-gateway demo`: a gateway on its embedded default, with a population and a pharmacy."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import orjson

from adapters.population import personas
from gateway.bootstrap import open_storage
from gateway.commands import admin
from gateway.commands.client import generate_client_key
from gateway.settings import EMBEDDED, Settings

DEMO_INPE = "100200300"
DEMO_CLIENT = "pharmacie-atlas"


def prepare_demo(settings: Settings, *, people: int, seed: int) -> dict[str, tuple[str, str]]:
    """Migrate, load reference data and the population, register the demo pharmacy."""
    state = settings.state_dir
    admin.run_migrations(settings)
    population = state / f"population-{seed}-{people}.jsonl"
    if _member_count(settings) < people:
        print(f"Population synthétique : {people:,} personnes (graine {seed})", file=sys.stderr)
        admin.generate(population, seed=seed, people=people, today=date.today())
        admin.import_members(settings, population)
    _ensure_provider(settings, state)
    return personas(seed=seed, people=people, today=date.today())


def _member_count(settings: Settings) -> int:
    with open_storage(settings) as storage, storage.uow() as uow:
        return uow.members.count()


def _ensure_provider(settings: Settings, state: Path) -> None:
    if any(p.client_id == DEMO_CLIENT for p in admin.list_providers(settings)):
        return
    key_path = state / "client-key.jwk.json"
    public = generate_client_key(key_path, key_id="atlas-1")
    jwks_path = state / "client-jwks.json"
    jwks_path.write_bytes(orjson.dumps(public, option=orjson.OPT_INDENT_2))
    admin.add_provider(
        settings,
        inpe=DEMO_INPE,
        name="Pharmacie Atlas (démo)",
        category="pharmacy",
        payers=["CNSS", "CNOPS"],
        jwks_path=jwks_path,
        client_id=DEMO_CLIENT,
    )


def demo_settings(settings: Settings, state_dir: Path) -> Settings:
    """The demo keeps everything under one folder: database, secrets, client key."""
    database = f"sqlite:///{state_dir / 'amo-demo.db'}"
    return replace(
        settings, env=EMBEDDED, state_dir=state_dir, database_url=database, redis_url=None
    )


def where_to_go(settings: Settings, people: dict[str, tuple[str, str]]) -> str:
    """The text printed before serving: URLs, credentials, patients to try."""
    state = settings.state_dir
    lines = [
        "",
        "Passerelle AMO tiers payant — démonstration",
        f"  Base FHIR           {settings.fhir_base}",
        f"  CapabilityStatement {settings.fhir_base}/metadata",
        f"  Découverte SMART    {settings.public_url}/.well-known/smart-configuration",
        f"  Jeton (token)       {settings.token_url}",
        f"  OpenAPI             {settings.public_url}/openapi.json",
        f"  Métriques           {settings.public_url}/metrics",
        f"  Client démo         {DEMO_CLIENT} (clé privée : {state / 'client-key.jwk.json'})",
        "  Patients à essayer (système d'identifiant, valeur) :",
    ]
    lines += [f"    {case:<22} {kind:<6} {value}" for case, (kind, value) in sorted(people.items())]
    lines.append("  Parcours pas à pas : README.md, section « Walkthrough ».")
    return "\n".join(lines) + "\n"
