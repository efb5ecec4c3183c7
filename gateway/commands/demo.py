"""`amo-gateway demo`: a gateway on its embedded default, with a population, a pharmacy, a
payer's medical review unit, and prior authorization requests ready to post."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from adapters.population import personas
from domain.eligibility import EligibilityDecision
from domain.members import IdentifierKind, PersonIdentifier
from domain.reference import ReferenceData
from domain.rules.prior_auth import Verdict, decide_request
from domain.rules.rights import decide_eligibility
from fhir_profiles import claim_in, systems
from gateway.bootstrap import load_reference, open_storage
from gateway.commands import admin
from gateway.commands.client import generate_client_key
from gateway.commands.demo_accounts import DemoAccount, account_lines, ensure_accounts
from gateway.commands.sample_claims import CostlyDrugOrder, claim, order_for
from gateway.settings import EMBEDDED, Settings

DEMO_INPE = "100200300"
DEMO_CLIENT = "pharmacie-atlas"
REVIEWER_PAYER, REVIEWER_UNIT = "CNSS", "CM-CASA"
DEMO_REVIEWER = "cnss-cm-casa"
REVIEWER_SCOPE = "system/ClaimResponse.rus system/Claim.rs"
# The personas whose situation is a long-term condition, looked at first for the example.
ALD_CASES = ("ald", "dialysis")


@dataclass(frozen=True, slots=True)
class PaExample:
    """A demo patient's costly-drug requests, written ready to post: one the rules grant at
    once, one beyond the catalog's maximum quantity that waits for the reviewer."""

    case: str  # the persona
    idcs: str
    order: CostlyDrugOrder
    granted: Path
    reviewed: Path
    reviewed_quantity: int
    bill: Path  # the claim that follows the grant, its preAuthRef to fill in


@dataclass(frozen=True, slots=True)
class Demo:
    """What `where_to_go` prints: the patients to try, and the prior authorization example
    (None when no demo patient holds a condition the drug catalog covers)."""

    people: dict[str, tuple[str, str]]
    example: PaExample | None = None
    accounts: list[DemoAccount] = field(default_factory=list)  # the extranet's people


def prepare_demo(settings: Settings, *, people: int, seed: int) -> Demo:
    """Migrate, load reference data and the population, register the demo pharmacy and
    review unit, write the prior authorization example."""
    state = settings.state_dir
    admin.run_migrations(settings)
    population = state / f"population-{seed}-{people}.jsonl"
    if _member_count(settings) < people:
        print(f"Population synthétique : {people:,} personnes (graine {seed})", file=sys.stderr)
        admin.generate(population, seed=seed, people=people, today=date.today())
        admin.import_members(settings, population)
    _ensure_provider(settings, state)
    _ensure_reviewer(settings, state)
    found = personas(seed=seed, people=people, today=date.today())
    accounts = ensure_accounts(settings, DEMO_CLIENT)
    return Demo(found, write_pa_example(settings, found), accounts)


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


def _ensure_reviewer(settings: Settings, state: Path) -> None:
    if any(p.client_id == DEMO_REVIEWER for p in admin.list_providers(settings)):
        return
    public = generate_client_key(state / "reviewer-key.jwk.json", key_id="cm-casa-1")
    jwks_path = state / "reviewer-jwks.json"
    jwks_path.write_bytes(orjson.dumps(public, option=orjson.OPT_INDENT_2))
    admin.add_reviewer(
        settings,
        payer=REVIEWER_PAYER,
        unit=REVIEWER_UNIT,
        name="Contrôle médical CNSS, Casablanca (démo)",
        jwks_path=jwks_path,
        client_id=DEMO_REVIEWER,
    )


def write_pa_example(settings: Settings, people: dict[str, tuple[str, str]]) -> PaExample | None:
    """Write the costly-drug requests of the first demo patient (the ALD situations first)
    whom the rules would grant one at once today; None if no demo patient qualifies."""
    now = datetime.now(UTC)
    cases = sorted(people, key=lambda case: (case not in ALD_CASES, case))
    with open_storage(settings) as storage:
        ref = load_reference(storage.uow)
        with storage.uow() as uow:
            for case in cases:
                kind, value = people[case]
                if kind != IdentifierKind.IDCS.value:
                    continue
                facts = uow.members.find(PersonIdentifier(IdentifierKind.IDCS, value))
                order = _grantable(value, decide_eligibility(facts, now.date(), ref), ref, now)
                if order is not None:
                    return _write(settings.state_dir, case, value, order, now)
    return None


def _grantable(
    idcs: str, rights: EligibilityDecision, ref: ReferenceData, now: datetime
) -> CostlyDrugOrder | None:
    """The costly drug the rules would grant the patient at once today, through the Claim
    mapping as the gateway reads it; only a patient of the review unit's payer, whose queue
    then shows the patient's other request."""
    if rights.payer != REVIEWER_PAYER or not rights.status.in_force:
        return None
    order = order_for(rights.ald_conditions, ref, now.date())
    if order is None:
        return None
    body = claim(idcs, order, inpe=DEMO_INPE, created=now)
    request = claim_in.to_domain(body, ref=ref, today=now.date()).command.request
    granted = decide_request(request, rights, ref, now=now).verdict is Verdict.GRANTED
    return order if granted else None


def _write(state: Path, case: str, idcs: str, order: CostlyDrugOrder, now: datetime) -> PaExample:
    over = order.drug.max_quantity + 1
    granted, reviewed = state / "pa-claim.json", state / "pa-claim-review.json"
    for path, quantity in ((granted, 1), (reviewed, over)):
        body = claim(idcs, order, inpe=DEMO_INPE, created=now, quantity=quantity)
        path.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2))
    bill = state / "bill.json"
    bill.write_bytes(orjson.dumps(_bill(idcs, order, now), option=orjson.OPT_INDENT_2))
    return PaExample(case, idcs, order, granted, reviewed, over, bill)


def _bill(idcs: str, order: CostlyDrugOrder, now: datetime) -> dict[str, Any]:
    """The pharmacy's claim for the box granted, with its prescription and labels; its
    preAuthRef (PREAUTHREF) is the one the grant answers."""
    body = claim(idcs, order, inpe=DEMO_INPE, created=now, quantity=1)
    body["use"] = "claim"
    body["identifier"] = [{"system": "urn:oid:2.16.504.1.1", "value": f"DEMO-{now:%Y%m%d%H%M%S}"}]
    body["insurance"][0]["preAuthRef"] = ["PREAUTHREF"]
    body["supportingInfo"] = [
        {
            "sequence": i,
            "category": {"text": code},
            "code": {"coding": [{"system": systems.CS_CLAIM_DOCUMENT, "code": code}]},
        }
        for i, code in enumerate(("ordonnance", "vignettes"), 1)
    ]
    return body


def demo_settings(settings: Settings, state_dir: Path) -> Settings:
    """The demo keeps everything under one folder: database, secrets, client key."""
    database = f"sqlite:///{state_dir / 'amo-demo.db'}"
    return replace(
        settings, env=EMBEDDED, state_dir=state_dir, database_url=database, redis_url=None
    )


def where_to_go(settings: Settings, demo: Demo) -> str:
    """The text printed before serving: URLs, credentials, patients to try, how to ask a
    prise en charge and how the reviewer sees its queue."""
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
        f"  Contrôle médical    {DEMO_REVIEWER}, {REVIEWER_PAYER} {REVIEWER_UNIT} "
        f"(clé privée : {state / 'reviewer-key.jwk.json'})",
        "  Patients à essayer (système d'identifiant, valeur) :",
    ]
    lines += [
        f"    {case:<22} {kind:<6} {value}" for case, (kind, value) in sorted(demo.people.items())
    ]
    if demo.example is not None:
        lines += _prior_auth_lines(settings, demo.example)
    lines += _reviewer_lines(settings)
    lines += account_lines(settings, demo.accounts)
    lines.append(
        "  Parcours pas à pas : README.md, sections « Walkthrough », « Prise en charge » et "
        "« Portal »."
    )
    return "\n".join(lines) + "\n"


def _prior_auth_lines(settings: Settings, example: PaExample) -> list[str]:
    drug = example.order.drug
    return [
        f"  Prise en charge, médicament coûteux : patient {example.case} {example.idcs} "
        f"({example.order.condition}), {drug.dci} {drug.strength}",
        f"    accordée d'emblée    {example.granted}",
        f"    pour le contrôle     {example.reviewed} ({example.reviewed_quantity} boîtes, "
        f"au-delà du plafond de {drug.max_quantity})",
        "    avec le jeton de la pharmacie (portée system/Claim.c ; README, « Walkthrough », 2) :",
        f"    curl -s '{settings.fhir_base}/Claim/$submit' -H \"Authorization: Bearer $TOKEN\" \\",
        f"      -H 'Content-Type: application/fhir+json' --data-binary @{example.granted}",
        "    puis la facture de la boîte accordée (tiers payant ; REF = le preAuthRef reçu) :",
        f'    sed "s/PREAUTHREF/$REF/" {example.bill} \\',
        f"      | curl -s '{settings.fhir_base}/Claim/$submit' \\",
        "      -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/fhir+json' "
        "--data-binary @-",
    ]


def _reviewer_lines(settings: Settings) -> list[str]:
    key = settings.state_dir / "reviewer-key.jwk.json"
    return [
        "  File du contrôle médical (son jeton, puis les demandes en attente) :",
        f"    ASSERTION=$(.venv/bin/amo-gateway client assertion --key {key} \\",
        f"      --client-id {DEMO_REVIEWER} --aud {settings.token_url})",
        f"    REVIEWER=$(curl -s {settings.token_url} -d grant_type=client_credentials \\",
        f"      -d scope='{REVIEWER_SCOPE}' \\",
        "      -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \\",
        '      -d client_assertion="$ASSERTION" | python3 -c '
        "'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
        f"    curl -s '{settings.fhir_base}/ClaimResponse/$queue' "
        '-H "Authorization: Bearer $REVIEWER"',
    ]
