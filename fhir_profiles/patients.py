"""Finding the patient's identifiers in a request: only our identifier systems count.

The request is any resource with a `patient` and `insurance.coverage` (CoverageEligibilityRequest,
Claim); the FHIRPaths of errors start with its resourceType.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import InvalidIdentifier, MalformedRequest
from domain.members import PersonIdentifier
from domain.reference import ReferenceData
from domain.rules.identifiers import normalize_identifier
from fhir_profiles import structure, systems
from fhir_profiles.bundle import Resources
from fhir_profiles.limits import MAX_ENTRIES, MAX_IDENTIFIERS

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Context:
    """What references resolve against, and what identifiers are checked with."""

    resources: Resources
    contained: Json
    ref: ReferenceData
    day: date


def identifiers(request: Json, ctx: Context) -> tuple[PersonIdentifier, ...]:
    """The patient's identifiers of our systems, normalised, first found first, no repeats."""
    found: list[PersonIdentifier] = []
    for value, path in _candidates(request, ctx):
        person = _normalised(value, path, ctx)
        if person is not None and person not in found:
            found.append(person)
    if not found:
        raise InvalidIdentifier(
            "Aucun identifiant du patient dans un système publié (IDCS, immatriculation CNSS, "
            "affiliation CNOPS, CIN) : voir https://fhir.tiers-payant.ma/NamingSystem",
            expression=f"{_kind(request)}.patient",
        )
    return tuple(found)


def resolved(ref: Json, kind: str, path: str, ctx: Context) -> Json | None:
    """The resource a reference points to inside the request, checked to be of that type."""
    target = ctx.resources.resolve(ref, ctx.contained)
    if target is not None and target.get("resourceType") != kind:
        raise MalformedRequest(
            f"La référence doit désigner une ressource {kind}",
            code="ressource-invalide",
            expression=f"{path}.reference",
        )
    return target


def _candidates(request: Json, ctx: Context) -> list[tuple[Json, str]]:
    """Identifiers (with their FHIRPath) from the patient, then from the coverages."""
    kind = _kind(request)
    path = f"{kind}.patient"
    patient = structure.reference(request.get("patient"), path)
    found = _of_reference(patient, path, ctx)
    for i, insurance in enumerate(structure.objects(request, "insurance", kind, limit=MAX_ENTRIES)):
        found += _of_coverage(insurance, f"{kind}.insurance[{i}]", ctx)
    return found


def _kind(request: Json) -> str:
    """The request's resourceType, where its FHIRPaths start."""
    return str(request.get("resourceType"))


def _of_reference(ref: Json, path: str, ctx: Context) -> list[tuple[Json, str]]:
    """The logical identifier of a patient reference, and those of the Patient it resolves to."""
    found = [(ref["identifier"], f"{path}.identifier")] if "identifier" in ref else []
    patient = resolved(ref, "Patient", path, ctx)
    if patient is not None:
        found += _listed(patient, f"{path}.resolve()")
    return found


def _of_coverage(insurance: Json, path: str, ctx: Context) -> list[tuple[Json, str]]:
    """Identifiers a Coverage carries: its own, and its beneficiary's."""
    ref = structure.required_object(insurance, "coverage", path)
    coverage = resolved(structure.reference(ref, f"{path}.coverage"), "Coverage", path, ctx)
    if coverage is None:
        return []
    cpath = f"{path}.coverage.resolve()"
    found = _listed(coverage, cpath)
    beneficiary = structure.optional_object(coverage, "beneficiary", cpath)
    if beneficiary is not None:
        bpath = f"{cpath}.beneficiary"
        found += _of_reference(structure.reference(beneficiary, bpath), bpath, ctx)
    return found


def _listed(resource: Json, path: str) -> list[tuple[Json, str]]:
    """A resource's identifier list, each with its FHIRPath."""
    items = structure.array(resource, "identifier", path, limit=MAX_IDENTIFIERS)
    return [(v, f"{path}.identifier[{i}]") for i, v in enumerate(items)]


def _normalised(value: Any, path: str, ctx: Context) -> PersonIdentifier | None:
    """A checked identifier when its system is ours, None when it is a foreign one."""
    ident = structure.identifier(value, path)
    kind = systems.kind_of(ident.get("system"))
    if kind is None:
        return None
    text = ident.get("value")
    if text is None:
        raise InvalidIdentifier("Identifiant sans valeur", expression=f"{path}.value")
    try:
        return normalize_identifier(kind, text, ctx.ref, ctx.day)
    except InvalidIdentifier as exc:
        raise InvalidIdentifier(exc.detail, code=exc.code, expression=f"{path}.value") from None
