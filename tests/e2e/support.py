"""What the end-to-end tests share: a prepared gateway state, tokens, request bodies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from adapters.population import personas
from gateway.commands import admin
from gateway.commands.client import generate_client_key, sign_assertion
from gateway.settings import Settings

IDCS = "https://fhir.tiers-payant.ma/sid/idcs"
CATEGORY = "https://fhir.tiers-payant.ma/CodeSystem/care-category"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALL_SCOPES = (
    "system/CoverageEligibilityRequest.cr system/CoverageEligibilityResponse.rs "
    "system/Subscription.cruds"
)
SEED, PEOPLE = 11, 1200


@dataclass(frozen=True)
class Client:
    """A registered provider's OAuth client: its id and private key file."""

    client_id: str
    key: Path
    inpe: str


@dataclass(frozen=True)
class GatewayState:
    """A migrated database with a population and two providers."""

    settings: Settings
    env: dict[str, str]
    pharmacy: Client
    clinic: Client
    people: dict[str, tuple[str, str]]


def prepare_state(work: Path, public_url: str, **env_overrides: str) -> GatewayState:
    """Migrate, import a population, register a pharmacy and a clinic."""
    env = {
        "AMO_STATE_DIR": str(work),
        "AMO_DATABASE_URL": f"sqlite:///{work / 'gateway.db'}",
        "AMO_PUBLIC_URL": public_url,
        "AMO_LOG_LEVEL": "WARNING",
        **env_overrides,
    }
    settings = Settings.from_env(env).with_secrets()
    admin.run_migrations(settings)
    registry = work / "registry.jsonl"
    admin.generate(registry, seed=SEED, people=PEOPLE, today=date.today())
    admin.import_members(settings, registry, quiet=True)
    pharmacy = register_client(settings, work, "pharmacy", "111222333")
    clinic = register_client(settings, work, "clinic", "444555666")
    people = personas(seed=SEED, people=PEOPLE, today=date.today())
    return GatewayState(settings, env, pharmacy, clinic, people)


def register_client(settings: Settings, work: Path, category: str, inpe: str) -> Client:
    """Register a provider (payers CNSS and CNOPS) and its client, with a fresh key."""
    key = work / f"{category}.jwk.json"
    (work / f"{category}.jwks.json").write_bytes(orjson.dumps(generate_client_key(key)))
    provider = admin.add_provider(
        settings,
        inpe=inpe,
        name=f"Test {category}",
        category=category,
        payers=["CNSS", "CNOPS"],
        jwks_path=work / f"{category}.jwks.json",
    )
    return Client(provider.client_id, key, inpe)


def register_reviewer(settings: Settings, work: Path, payer: str, unit: str) -> Client:
    """A payer's medical review unit, registered as the command line does (its client gets
    the reviewer's scopes: queue, decisions, requests for information)."""
    key = work / f"reviewer-{payer}-{unit}.jwk.json"
    jwks = work / f"reviewer-{payer}-{unit}.jwks.json"
    jwks.write_bytes(orjson.dumps(generate_client_key(key)))
    reviewer = admin.add_reviewer(
        settings, payer=payer, unit=unit, name=f"Contrôle médical {payer}", jwks_path=jwks
    )
    return Client(reviewer.client_id, key, reviewer.inpe)


def token_form(client: Client, token_url: str, scope: str = ALL_SCOPES) -> dict[str, str]:
    """The token request form with a fresh assertion."""
    return {
        "grant_type": "client_credentials",
        "scope": scope,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": sign_assertion(client.key, client.client_id, token_url),
    }


def eligibility_request(
    idcs: str, *, categories: tuple[str, ...] = ("pharmacy",)
) -> dict[str, Any]:
    """A CoverageEligibilityRequest as a pharmacy's desk sends it."""
    return {
        "resourceType": "CoverageEligibilityRequest",
        "status": "active",
        "purpose": ["validation", "benefits", "auth-requirements"],
        "patient": {"identifier": {"system": IDCS, "value": idcs}},
        "created": date.today().isoformat(),
        "servicedDate": date.today().isoformat(),
        "insurer": {"display": "AMO"},
        "item": [
            {"category": {"coding": [{"system": CATEGORY, "code": code}]}} for code in categories
        ],
    }
