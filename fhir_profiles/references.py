"""References a response repeats from its request: as written, or made logical when they
pointed inside the request (a contained resource, a Bundle entry known by its urn).

An answer is read on its own, later, without the request's Bundle: a reference that only made
sense inside it becomes a logical one, the resource known by its business identifier.
"""

from __future__ import annotations

from typing import Any, Final

from domain.members import PersonIdentifier
from fhir_profiles import patients, structure, systems
from fhir_profiles.limits import MAX_IDENTIFIERS

Json = dict[str, Any]
_KEYS: Final = ("reference", "type", "identifier", "display")


def keys(ref: Json) -> Json:
    """The parts of a Reference we echo (no extensions, no element ids)."""
    return {k: ref[k] for k in _KEYS if k in ref}


def internal(ref: Json) -> bool:
    """Whether a reference only makes sense inside the request (contained or bundle entry)."""
    target = ref.get("reference")
    return isinstance(target, str) and target.startswith(("#", "urn:uuid:", "urn:oid:"))


def person_identifier(person: PersonIdentifier) -> Json:
    """A FHIR Identifier for a person identifier of ours."""
    return {"system": systems.system_of(person.kind), "value": person.value}


def patient(written: Json, first: PersonIdentifier) -> Json:
    """The patient reference as written, or a logical one when it pointed inside the request."""
    echo = keys(written)
    if not internal(echo):
        return echo
    logical: Json = {"type": "Patient", "identifier": person_identifier(first)}
    if "display" in echo:
        logical["display"] = echo["display"]
    return logical


def organization(written: Json, path: str, ctx: patients.Context) -> Json | None:
    """An Organization reference as written, or the resolved Organization's first identifier
    and name; None when it pointed inside the request at nothing that names it."""
    echo = keys(written)
    if not internal(echo):
        return echo
    org = patients.resolved(echo, "Organization", path, ctx) or {}
    logical: Json = {"type": "Organization"}
    ids = structure.array(org, "identifier", f"{path}.resolve()", limit=MAX_IDENTIFIERS)
    if ids:
        logical["identifier"] = structure.identifier(ids[0], f"{path}.resolve().identifier[0]")
    name = org.get("name") or echo.get("display")
    if isinstance(name, str) and name.strip():
        logical["display"] = name
    return logical if len(logical) > 1 else None
