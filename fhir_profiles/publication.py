"""Metadata shared by every conformance resource we publish."""

from __future__ import annotations

from typing import Any, Final

from fhir_profiles import systems

VERSION: Final = "1.0.0"  # version of the published definitions (not of the software)
DATE: Final = "2025-06-01"
PUBLISHER: Final = "Passerelle AMO tiers payant"
JURISDICTION: Final = [{"coding": [{"system": "urn:iso:std:iso:3166", "code": "MA"}]}]
HL7_SD: Final = "http://hl7.org/fhir/StructureDefinition"


def header(resource_type: str, rid: str, url: str, name: str, title: str) -> dict[str, Any]:
    """The common head of a canonical resource: identity, status and publisher."""
    return {
        "resourceType": resource_type,
        "id": rid,
        "url": url,
        "version": VERSION,
        "name": name,
        "title": title,
        "status": "active",
        "experimental": False,
        "date": DATE,
        "publisher": PUBLISHER,
        "jurisdiction": JURISDICTION,
    }


def constraint(rid: str, url: str, name: str, title: str, kind: str, base: str) -> dict[str, Any]:
    """The head of a StructureDefinition constraining a base definition (a profile, or an
    extension when the base is Extension)."""
    sd = header("StructureDefinition", rid, url, name, title)
    sd |= {
        "fhirVersion": "4.0.1",
        "kind": kind,
        "abstract": False,
        "type": base,
        "baseDefinition": f"{HL7_SD}/{base}",
        "derivation": "constraint",
    }
    return sd


def element(path: str, **rules: Any) -> dict[str, Any]:
    """A differential element: its id is its path unless the rules name a slice."""
    slice_name = rules.get("sliceName")
    element_id = f"{path}:{slice_name}" if slice_name else path
    return {"id": element_id, "path": path, **rules}


def value_set_url(rid: str) -> str:
    """The canonical URL of one of our ValueSets."""
    return f"{systems.BASE}/ValueSet/{rid}"


def operation_parameter(
    name: str, use: str, low: int, kind: str, documentation: str
) -> dict[str, Any]:
    """One parameter of an OperationDefinition (at most once)."""
    return {
        "name": name,
        "use": use,
        "min": low,
        "max": "1",
        "documentation": documentation,
        "type": kind,
    }
