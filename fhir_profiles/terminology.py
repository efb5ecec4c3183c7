"""Our terminology as FHIR R4 resources: CodeSystems, ValueSets, NamingSystems, and the
catalogue of everything we publish at GET [base]/{type}/{id} (profiles, operations and the
ConceptMap of foreign care categories too)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from domain.eligibility import EligibilityStatus
from domain.reasons import ALL_REASONS
from domain.reference import ReferenceData
from fhir_profiles import (
    bundle,
    categories,
    claim_billing_out,
    claim_profiles,
    communications,
    detected_issue,
    labels,
    messages,
    profiles,
    publication,
    review_conformance,
    subscription_conformance,
    systems,
)

Json = dict[str, Any]
Concept = tuple[str, str]  # (code, French display)

NAMING_SYSTEMS: Final = (
    ("idcs", systems.IDCS, "Identifiant civil et social (IDCS), 10 chiffres"),
    ("cnss-immatriculation", systems.CNSS, "Numéro d'immatriculation à la CNSS"),
    ("cnops-affiliation", systems.CNOPS, "Numéro d'affiliation à la CNOPS"),
    ("cin", systems.CIN, "Carte d'identité nationale électronique (CIN)"),
    ("inpe", systems.INPE, "Identifiant national des professionnels et établissements (INPE)"),
    ("payer", systems.PAYER_ID, "Code d'organisme payeur AMO (CodeSystem payer)"),
    (
        "complementary",
        systems.COMPLEMENTARY,
        "Code d'organisme complémentaire, mutuelle ou assureur (CodeSystem complementary)",
    ),
    (
        "end-to-end-id",
        systems.END_TO_END_ID,
        "Identifiant de bout en bout d'un virement au prestataire (ISO 20022 EndToEndId), "
        "tel qu'il figure sur son relevé bancaire",
    ),
)


def code_systems(ref: ReferenceData) -> list[Json]:
    """Every CodeSystem we publish, the reference-data ones as loaded in `ref`."""
    return [
        _reason_system(),
        _code_system("eligibility-status", "Statut d'éligibilité AMO", _statuses()),
        _code_system("care-category", "Catégorie de soins AMO", labels.categories(ref).items()),
        _code_system("scheme", "Régime AMO", ((s.code, s.label) for s in ref.schemes)),
        _code_system("payer", "Organisme payeur AMO", ((p.code, p.label) for p in ref.payers)),
        _code_system(
            "complementary",
            "Organisme complémentaire (RC)",
            sorted({(c.organisation, c.label) for c in ref.complementary_covers}),
        ),
        _code_system("benefit-type", "Type de prestation AMO", labels.BENEFIT_TYPE_LABELS.items()),
        _ald_system(ref),
        _code_system("pa-type", "Type de prise en charge AMO", labels.pa_types(ref).items()),
        _code_system(
            "specialty", "Spécialité médicale du prescripteur", labels.specialties(ref).items()
        ),
        _code_system(
            "communication-category",
            "Catégorie d'échange sur une prise en charge",
            communications.CATEGORY_LABELS.items(),
        ),
        _code_system("ngap", "Lettre clé NGAP", _tariff_codes(ref, "letter")),
        _code_system("flat-fee", "Forfait AMO", _tariff_codes(ref, "flat")),
        _code_system("day-rate", "Journée d'hospitalisation AMO", _tariff_codes(ref, "day")),
        _code_system(
            "claim-document",
            "Pièce justificative d'une demande de remboursement",
            sorted({(d.document, d.label) for d in ref.claim_documents}),
        ),
        _code_system(
            "adjudication", "Catégorie d'adjudication AMO", claim_billing_out.OUR_CATEGORIES.items()
        ),
        _code_system(
            "anomaly",
            "Signalement d'anomalie pour le contrôle d'un payeur",
            detected_issue.concepts(),
        ),
    ]


def _tariff_codes(ref: ReferenceData, kind: str) -> list[Concept]:
    """The codes of one tariff kind, each with its first label."""
    found: dict[str, str] = {}
    for tariff in ref.tariffs:
        if tariff.kind == kind:
            found.setdefault(tariff.code, tariff.label)
    return sorted(found.items())


def value_sets(code_systems: Iterable[Json]) -> list[Json]:
    """One ValueSet per CodeSystem, holding all its codes."""
    return [_value_set(cs) for cs in code_systems]


def naming_systems() -> list[Json]:
    """The NamingSystems of the identifier systems we define."""
    return [_naming_system(rid, url, text) for rid, url, text in NAMING_SYSTEMS]


def definitions(ref: ReferenceData) -> dict[tuple[str, str], Json]:
    """Everything we publish, by (resourceType, id), for GET [base]/{type}/{id}."""
    found = code_systems(ref)
    found += value_sets(found) + naming_systems() + profiles.structure_definitions()
    found += claim_profiles.structure_definitions()
    found += profiles.operation_definitions()
    found.append(subscription_conformance.replay_operation())
    found += review_conformance.operations()
    found.append(categories.concept_map(ref))
    return {(r["resourceType"], r["id"]): r for r in found}


def definitions_bundle(
    resources: list[Json], base_url: str, resource_type: str | None = None
) -> Json:
    """A searchset Bundle listing published resources (all of them: no paging)."""
    kinds = {r["resourceType"] for r in resources}
    kind = resource_type or (kinds.pop() if len(kinds) == 1 else None)
    base = base_url.rstrip("/")
    self_url = f"{base}/{kind}" if kind else base
    return bundle.searchset(resources, len(resources), self_url, None, base_url)


def _url(kind: str, rid: str) -> str:
    """The canonical URL of one of our resources."""
    return f"{systems.BASE}/{kind}/{rid}"


def _name(rid: str) -> str:
    """A computable name from an id: care-category -> CareCategory."""
    return "".join(part.capitalize() for part in rid.split("-"))


def _code_system(rid: str, title: str, concepts: Iterable[Concept]) -> Json:
    """A complete CodeSystem of (code, display) pairs."""
    concept = [{"code": code, "display": display} for code, display in concepts]
    return _with_concepts(rid, title, concept)


def _with_concepts(rid: str, title: str, concept: list[Json]) -> Json:
    """A complete CodeSystem of prepared concepts (FHIR forbids an empty concept array)."""
    cs = publication.header("CodeSystem", rid, _url("CodeSystem", rid), _name(rid), title)
    cs |= {
        "language": "fr",
        "description": f"{title} : codes publiés par la passerelle AMO tiers payant.",
        "caseSensitive": True,
        "valueSet": _url("ValueSet", rid),
        "content": "complete",
        "count": len(concept),
    }
    if concept:
        cs["concept"] = concept
    return cs


def _reason_system() -> Json:
    """Reason codes, French displays with Arabic and English designations."""
    concept = [
        {
            "code": code,
            "display": display,
            "designation": [
                {"language": "ar", "value": messages.label(code, "ar")},
                {"language": "en", "value": messages.label(code, "en")},
            ],
        }
        for code, display in ALL_REASONS.items()
    ]
    return _with_concepts("reason", "Motifs de décision et d'erreur AMO", concept)


def _statuses() -> list[Concept]:
    """Eligibility statuses with their French labels."""
    return [(s.value, labels.STATUS_LABELS[s]) for s in EligibilityStatus]


def _ald_system(ref: ReferenceData) -> Json:
    """Long-term conditions (ALD/ALC), each with its kind as a property."""
    concept = [
        {"code": a.code, "display": a.label, "property": [{"code": "kind", "valueCode": a.kind}]}
        for a in ref.ald
    ]
    cs = _with_concepts("ald", "Affections de longue durée et longues et coûteuses", concept)
    cs["property"] = [{"code": "kind", "description": "ALD ou ALC", "type": "code"}]
    return cs


def _value_set(cs: Json) -> Json:
    """The ValueSet of every code of a CodeSystem."""
    rid = cs["id"]
    vs = publication.header("ValueSet", rid, _url("ValueSet", rid), cs["name"], cs["title"])
    vs["description"] = f"Tous les codes du CodeSystem {cs['url']}."
    vs["compose"] = {"include": [{"system": cs["url"]}]}
    return vs


def _naming_system(rid: str, url: str, description: str) -> Json:
    """A NamingSystem for one identifier system we define."""
    return {
        "resourceType": "NamingSystem",
        "id": rid,
        "name": _name(rid),
        "status": "active",
        "kind": "identifier",
        "date": publication.DATE,
        "publisher": publication.PUBLISHER,
        "description": description,
        "jurisdiction": publication.JURISDICTION,
        "uniqueId": [{"type": "uri", "value": url, "preferred": True}],
    }
