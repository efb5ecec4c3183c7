"""Metadata shared by every conformance resource we publish."""

from __future__ import annotations

from typing import Any, Final

VERSION: Final = "1.0.0"  # version of the published definitions (not of the software)
DATE: Final = "2025-06-01"
PUBLISHER: Final = "Passerelle AMO tiers payant"
JURISDICTION: Final = [{"coding": [{"system": "urn:iso:std:iso:3166", "code": "MA"}]}]


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
