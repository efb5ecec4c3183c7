"""Administration commands: schema, reference data, providers, members, audit."""

from __future__ import annotations

import os
import re
import secrets
import sys
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from adapters.bulk_gc import paced_for_bulk
from adapters.crypto import CryptoError
from adapters.population import write_population
from adapters.refdata_files import load_reference_files
from adapters.registry_files import count_lines
from adapters.registry_parallel import ReadingFailed, read_sealed
from adapters.sql.audit import verify_chain
from adapters.sql.engine import make_engine, migrate
from adapters.sql.rotation import RotationReport
from adapters.sql.rotation import rotate_keys as rotate
from domain.records import REVIEWER_CATEGORY, Convention, Provider
from domain.rules.identifiers import validate_pattern
from domain.services.registry import ImportReport, store_registry
from gateway.bootstrap import Storage, cache_invalidation, data_cipher, load_reference, open_storage
from gateway.progress import ProgressBar
from gateway.scopes import unenforceable
from gateway.settings import Settings


def run_migrations(settings: Settings) -> str:
    """Bring the schema to the latest revision and make sure reference data is loaded."""
    with open_storage(settings) as storage:
        migrate(storage.engine)
        return load_reference(storage.uow).version


def load_refdata(settings: Settings, directory: Path) -> tuple[str, bool]:
    """Load reference files as a new dataset version; (version, whether it was new)."""
    data = load_reference_files(directory)
    with open_storage(settings) as storage, storage.uow() as work:
        stored = work.reference.store(data)
        work.commit()
        return data.version, stored


def add_provider(
    settings: Settings,
    *,
    inpe: str,
    name: str,
    category: str,
    payers: list[str],
    jwks_path: Path,
    client_id: str | None = None,
    scopes: list[str] | None = None,
) -> Provider:
    """Register a provider organization, its OAuth client's public keys and, if given, the
    scopes its client may be granted (wildcards need this)."""
    refused = unenforceable(scopes or [])
    if refused:
        raise SystemExit(
            f"Portées non applicables par la passerelle : {refused} "
            "(system/<Type|*>.<read|write|*|cruds>, sans restriction ?...)"
        )
    jwks = _public_jwks(jwks_path)
    with open_storage(settings) as storage:
        return _register(storage, inpe, name, category, payers, jwks, client_id, scopes or [])


def _public_jwks(path: Path) -> dict[str, Any]:
    jwks = orjson.loads(path.read_bytes())
    if not isinstance(jwks, dict) or not jwks.get("keys"):
        raise SystemExit(f"{path} : JWK Set attendu ({{'keys': [...]}})")
    if any("d" in key for key in jwks["keys"]):
        raise SystemExit(f"{path} contient une clé privée : enregistrez la clé publique")
    return jwks


def _register(
    storage: Storage,
    inpe: str,
    name: str,
    category: str,
    payers: list[str],
    jwks: dict[str, Any],
    client_id: str | None,
    scopes: list[str],
) -> Provider:
    ref = load_reference(storage.uow)
    if not validate_pattern("inpe", inpe, ref, date.today()):
        raise SystemExit(f"INPE invalide : {inpe} (9 chiffres attendus)")
    known = {payer.code for payer in ref.payers}
    if not payers or not set(payers) <= known:
        unknown = sorted(set(payers) - known)
        raise SystemExit(f"Organismes inconnus : {unknown} ; connus : {sorted(known)}")
    provider = Provider(
        id=f"org-{inpe}",
        inpe=inpe,
        name=name,
        category=category,
        payers=tuple(payers),
        client_id=client_id or f"client-{inpe}-{secrets.token_hex(4)}",
        jwks=orjson.dumps(jwks).decode(),
        scopes=tuple(scopes),
    )
    with storage.uow() as uow:
        if uow.providers.by_inpe(inpe) is not None:
            raise SystemExit(f"Un prestataire avec l'INPE {inpe} est déjà enregistré")
        uow.providers.add(provider)
        uow.commit()
    return provider


# What a payer's review client may do: read its queue and the requests, decide, ask, and
# read its payer's anomaly flags.
REVIEWER_SCOPES = (
    "system/ClaimResponse.rus",
    "system/Claim.rs",
    "system/CommunicationRequest.crs",
    "system/Communication.rs",
    "system/DetectedIssue.rs",
)


def add_reviewer(
    settings: Settings,
    *,
    payer: str,
    unit: str,
    name: str,
    jwks_path: Path,
    client_id: str | None = None,
) -> Provider:
    """Register a payer's medical review unit and its OAuth client: it sees and decides the
    prises en charge addressed to that payer, never acts as a provider."""
    if not re.fullmatch(r"[A-Za-z0-9-]{1,32}", unit):
        raise SystemExit(f"Code d'unité invalide : {unit} (lettres, chiffres, tirets)")
    jwks = _public_jwks(jwks_path)
    with open_storage(settings) as storage:
        ref = load_reference(storage.uow)
        if payer not in {p.code for p in ref.payers}:
            raise SystemExit(f"Organisme inconnu : {payer}")
        reviewer = Provider(
            id=f"reviewer-{payer}-{unit}".lower(),
            inpe=f"{payer}:{unit}",
            name=name,
            category=REVIEWER_CATEGORY,
            payers=(payer,),
            client_id=client_id or f"reviewer-{payer}-{unit}-{secrets.token_hex(4)}".lower(),
            jwks=orjson.dumps(jwks).decode(),
            scopes=REVIEWER_SCOPES,
        )
        with storage.uow() as uow:
            if uow.providers.by_inpe(reviewer.inpe) is not None:
                raise SystemExit(f"L'unité {reviewer.inpe} est déjà enregistrée")
            uow.providers.add(reviewer)
            uow.commit()
    return reviewer


def set_convention(settings: Settings, inpe: str, convention: Convention) -> None:
    """Record where a provider stands in its convention; its next token carries it."""
    with open_storage(settings) as storage, storage.uow() as uow:
        if not uow.providers.set_convention(inpe, convention):
            raise SystemExit(f"Aucun prestataire avec l'INPE {inpe}")
        uow.commit()


def list_providers(settings: Settings) -> list[Provider]:
    """Every registered provider."""
    with open_storage(settings) as storage, storage.uow() as work:
        return work.providers.all()


def import_members(
    settings: Settings, path: Path, *, quiet: bool = False, workers: int | None = None
) -> ImportReport:
    """Import a payer's registry file, all or nothing, with a progress bar; its households
    read and encrypted by `workers` processes (default: the setting, else one per core)."""
    if workers is None:
        workers = settings.import_workers
    if workers is None:
        workers = os.cpu_count() or 1
    cipher = data_cipher(settings.with_secrets())
    with open_storage(settings) as storage, cache_invalidation(settings, storage) as cache:
        total = count_lines(path)
        progress = None if quiet else ProgressBar(total, "foyers")
        ref, today = load_reference(storage.uow), date.today()
        entries = read_sealed(path, ref, today, cipher=cipher, index=storage.index, workers=workers)
        try:
            with paced_for_bulk():
                return store_registry(entries, uow=storage.uow(), cache=cache, progress=progress)
        except ReadingFailed as error:
            raise SystemExit(f"import interrompu, rien n'a été enregistré : {error}") from None
        except CryptoError:
            # A member already stored is read back to know the identifiers it drops: with
            # other keys than those that sealed it, nothing of the file can be applied.
            raise SystemExit(
                "import interrompu, rien n'a été enregistré : des personnes déjà enregistrées "
                "ne se déchiffrent pas avec les clés configurées (AMO_DATA_KEYS, ou secrets.json "
                "du répertoire d'état AMO_STATE_DIR) : utilisez les clés qui les ont chiffrées"
            ) from None


def generate(path: Path, *, seed: int, people: int, today: date) -> int:
    """Write a synthetic registry file; returns how many people it holds."""
    return write_population(path, seed=seed, people=people, today=today)


def rotate_keys(settings: Settings) -> RotationReport:
    """Re-encrypt personal data still under an older key with AMO_DATA_KEY_CURRENT."""
    settings = settings.with_secrets()
    engine = make_engine(settings.database_url)
    try:
        return rotate(engine, data_cipher(settings))
    finally:
        engine.dispose()


def verify_audit(settings: Settings) -> bool:
    """Check the audit hash chains; prints one line per stream."""
    with open_storage(settings) as storage:
        report = verify_chain(storage.engine)
        if report.ok:
            print(f"journal d'audit intègre : {report.entries:,} entrées vérifiées")
        else:
            where = f"flux {report.first_bad_stream}, entrée {report.first_bad_seq}"
            print(
                f"journal d'audit ROMPU ({where}) après {report.entries:,} entrées", file=sys.stderr
            )
        return bool(report.ok)
