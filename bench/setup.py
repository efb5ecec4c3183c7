"""Bench set-up: a database with a population, a provider, and request bodies."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import psycopg

from adapters.registry_files import read_registry
from domain.members import AldGrant, EligibilityFacts, IdentifierKind, Member
from domain.reference import ReferenceData
from domain.registry import check_household
from domain.rules.rights import decide_eligibility
from fhir_profiles.claim_billing_in import AMBULATORY
from gateway.bootstrap import load_reference, open_storage
from gateway.commands import admin, sample_claims
from gateway.commands.client import generate_client_key
from gateway.settings import Settings

IDCS = "https://fhir.tiers-payant.ma/sid/idcs"
CLIENT_ID = "bench-pharmacy"
INPE = "300400500"
DRUGS_PER_CLAIM = 3


@contextmanager
def scratch_database(server_url: str | None) -> Iterator[str | None]:
    """A new PostgreSQL database on that server for the run, dropped after (None: SQLite)."""
    if not server_url:
        yield None
        return
    name = f"amo_bench_{secrets.token_hex(4)}"
    libpq = server_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(libpq, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(
    work: Path, *, people: int, claims: int, database_url: str | None, redis_url: str | None
) -> dict[str, str]:
    """Migrate, import a population, register a provider; returns the server's environment."""
    env = {
        "AMO_STATE_DIR": str(work),
        "AMO_DATABASE_URL": database_url or f"sqlite:///{work / 'bench.db'}",
        # The limiter runs on every request; the limit is set above what one client sends here.
        "AMO_RATE_LIMIT_PER_SECOND": "1000000",
        "AMO_RATE_LIMIT_BURST": "1000000",
        "AMO_LOG_LEVEL": "WARNING",
        "BENCH_CLIENT_ID": CLIENT_ID,
    }
    if redis_url:
        env["AMO_REDIS_URL"] = redis_url
    settings = Settings.from_env(env)
    admin.run_migrations(settings)
    registry = work / "population.jsonl"
    admin.generate(registry, seed=7, people=people, today=date.today())
    admin.import_members(settings, registry, quiet=True)
    _write_identifiers(registry, work / "idcs.txt")
    _write_costly_drug_claims(settings, registry, work / "pa-claims.jsonl")
    _write_pharmacy_claims(settings, registry, work / "pharmacy-claims.jsonl", limit=claims)
    jwks = generate_client_key(work / "client-key.jwk.json", key_id="bench")
    (work / "jwks.json").write_bytes(orjson.dumps(jwks))
    admin.add_provider(
        settings,
        inpe=INPE,
        name="Pharmacie du banc d'essai",
        category="pharmacy",
        payers=["CNSS", "CNOPS"],
        jwks_path=work / "jwks.json",
        client_id=CLIENT_ID,
    )
    return env


def _write_identifiers(registry: Path, out: Path) -> None:
    values = []
    with registry.open("rb") as lines:
        for line in lines:
            for member in orjson.loads(line)["members"]:
                idcs = member["identifiers"].get("idcs")
                if idcs:
                    values.append(idcs)
    out.write_text("\n".join(dict.fromkeys(values)))


def _write_costly_drug_claims(settings: Settings, registry: Path, out: Path) -> None:
    """One costly-drug Claim per member holding, today, an ALD/ALC the drug catalog lists a
    costly drug for (whether the rules grant it at once is for the warm-up to find out)."""
    with open_storage(settings) as storage:
        ref = load_reference(storage.uow)
    today, now = date.today(), datetime.now(UTC)
    bodies = []
    for idcs, conditions in _ald_holders(registry, today).items():
        order = sample_claims.order_for(conditions, ref, today)
        if order is not None:
            body = sample_claims.claim(idcs, order, inpe=INPE, created=now)
            bodies.append(orjson.dumps(body))
    out.write_bytes(b"\n".join(bodies))


def _write_pharmacy_claims(settings: Settings, registry: Path, out: Path, *, limit: int) -> None:
    """Up to `limit` pharmacy bills of three ordinary drugs, one per member covered today
    (rights open or maintained), each under its own business identifier: a bill is payable
    once, so the bench posts each once."""
    with open_storage(settings) as storage:
        ref = load_reference(storage.uow)
    today, now = date.today(), datetime.now(UTC)
    run = secrets.token_hex(4)  # identifiers of this run only, even on a reused database
    bodies: list[bytes] = []
    for idcs, payer, scheme in _covered(registry, ref, today):
        drugs = sample_claims.ordinary_drugs(ref, today, [scheme])[:DRUGS_PER_CLAIM]
        if len(drugs) < DRUGS_PER_CLAIM:
            continue
        documents = [d.document for d in ref.required_documents(payer, AMBULATORY, today)]
        body = sample_claims.pharmacy_claim(
            idcs,
            drugs,
            claim_id=f"BENCH-{run}-{len(bodies) + 1:06d}",
            inpe=INPE,
            created=now,
            documents=documents,
        )
        bodies.append(orjson.dumps(body))
        if len(bodies) >= limit:
            break
    out.write_bytes(b"\n".join(bodies))


def _covered(registry: Path, ref: ReferenceData, day: date) -> Iterator[tuple[str, str, str]]:
    """(IDCS, payer, scheme) of each member whose rights are in force on the day, decided by
    the rules the gateway applies, each IDCS once."""
    seen: set[str] = set()
    for line, household in read_registry(registry):
        entries = check_household(household, ref, line=line, today=day)
        members = {entry.member.member_id: entry.member for entry in entries}
        for entry in entries:
            idcs = next((i.value for i in entry.identifiers if i.kind is IdentifierKind.IDCS), None)
            if idcs is None or idcs in seen:
                continue
            facts = EligibilityFacts(entry.member, _insureds(entry.member, members))
            rights = decide_eligibility([facts], day, ref)
            if rights.status.in_force and rights.payer and rights.scheme:
                seen.add(idcs)
                yield idcs, rights.payer, rights.scheme


def _insureds(member: Member, household: dict[str, Member]) -> dict[str, Member]:
    """The insured members of the household the member's affiliations go through."""
    wanted = {a.insured_id for a in member.affiliations if a.insured_id is not None}
    return {member_id: household[member_id] for member_id in wanted if member_id in household}


def _ald_holders(registry: Path, day: date) -> dict[str, list[str]]:
    """IDCS -> the ALD/ALC active on the day, for every member with an IDCS holding one."""
    found: dict[str, list[str]] = {}
    with registry.open("rb") as lines:
        for line in lines:
            for member in orjson.loads(line)["members"]:
                idcs = member["identifiers"].get("idcs")
                active = [g.condition for g in map(_grant, member["ald"]) if g.active_on(day)]
                if idcs and active:
                    found.setdefault(idcs, active)
    return found


def _grant(written: dict[str, str | None]) -> AldGrant:
    end = written["end"]
    return AldGrant(
        str(written["condition"]),
        date.fromisoformat(str(written["start"])),
        None if end is None else date.fromisoformat(end),
    )


def request_bodies(identifiers: list[str]) -> list[bytes]:
    """One CoverageEligibilityRequest per patient, as a pharmacy's desk would send it."""
    today = date.today().isoformat()
    return [
        orjson.dumps(
            {
                "resourceType": "CoverageEligibilityRequest",
                "status": "active",
                "purpose": ["validation", "benefits"],
                "patient": {"identifier": {"system": IDCS, "value": value}},
                "servicedDate": today,
                "created": today,
                "insurer": {"display": "AMO"},
                "item": [
                    {
                        "category": {
                            "coding": [
                                {
                                    "system": "https://fhir.tiers-payant.ma/CodeSystem/care-category",
                                    "code": "pharmacy",
                                }
                            ]
                        }
                    }
                ],
            }
        )
        for value in identifiers
    ]
