"""Request envelopes in the shapes third-party clients send, around any request resource."""

from __future__ import annotations

import copy
from typing import Any

Json = dict[str, Any]
NPHIES_EVENTS = "http://nphies.sa/terminology/CodeSystem/ksa-message-events"
HEADER_ID = "c19c71dc-cfad-4401-b5b0-c0f20e8f1490"
REQUEST_URL = "http://clinique.example.ma/CoverageEligibilityRequest/14906"
PATIENT_URL = "http://clinique.example.ma/Patient/77"


def message(request: Json, *others: Json, **header_changes: Any) -> Json:
    """An NPHIES-style message Bundle: MessageHeader first, its focus on the request."""
    header: Json = {
        "resourceType": "MessageHeader",
        "id": HEADER_ID,
        "eventCoding": {"system": NPHIES_EVENTS, "code": "eligibility-request"},
        "destination": [
            {
                "endpoint": "https://passerelle.example.ma/fhir",
                "receiver": {"type": "Organization", "identifier": {"value": "CNSS"}},
            }
        ],
        "sender": {"type": "Organization", "identifier": {"value": "123456789"}},
        "source": {"endpoint": "http://clinique.example.ma/fhir"},
        "focus": [{"reference": REQUEST_URL}],
    }
    header.update(header_changes)
    header = {k: v for k, v in header.items() if v is not None}
    entries = [
        {"fullUrl": "urn:uuid:" + HEADER_ID, "resource": header},
        {"fullUrl": REQUEST_URL, "resource": copy.deepcopy(request)},
        *({"fullUrl": _url(r), "resource": r} for r in others),
    ]
    return {
        "resourceType": "Bundle",
        "id": "4350490e-98f0-4c23-9e7d-4cd2c7011490",
        "type": "message",
        "timestamp": "2026-03-02T09:15:00+01:00",
        "entry": entries,
    }


def document(request: Json, *others: Json) -> Json:
    """An HCX-style document Bundle: a Composition first, whose section lists the request."""
    composition = {
        "resourceType": "Composition",
        "id": "42ff4a07",
        "status": "final",
        "type": {"coding": [{"code": "HcxCoverageEligibilityRequest"}]},
        "date": "2026-03-02T09:15:00+01:00",
        "author": [{"reference": "Organization/clinique"}],
        "title": "Coverage Eligibility Request",
        "section": [{"entry": [{"reference": "CoverageEligibilityRequest/14906"}]}],
    }
    entries = [composition, {**copy.deepcopy(request), "id": "14906"}, *others]
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:42ff4a07"},
        "type": "document",
        "timestamp": "2026-03-02T09:15:00+01:00",
        "entry": [{"fullUrl": _url(r), "resource": r} for r in entries],
    }


def collection(request: Json, *others: Json) -> Json:
    """A collection Bundle of the request and what it references."""
    entries = [{"fullUrl": REQUEST_URL, "resource": copy.deepcopy(request)}]
    entries += [{"fullUrl": _url(r), "resource": r} for r in others]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def patient(*identifiers: Json, rid: str = "77") -> Json:
    """A Patient known by these identifiers."""
    return {"resourceType": "Patient", "id": rid, "identifier": list(identifiers)}


def _url(resource: Json) -> str:
    """A Type/id full URL, as HCX clients write them."""
    return f"{resource['resourceType']}/{resource['id']}"
