"""Bundles: resolving references inside a request, and searchset answers (the request
envelopes themselves are read by `fhir_profiles.envelope`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fhir_profiles import structure
from fhir_profiles.limits import MAX_ENTRIES

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Resources:
    """The resources a request can point to: bundle entries and contained resources."""

    by_key: dict[str, Json] = field(default_factory=dict)

    def resolve(self, ref: Json, contained: Json | None = None) -> Json | None:
        """The resource a Reference points to, None when it points outside the request."""
        target = ref.get("reference")
        if not isinstance(target, str):
            return None
        if target.startswith("#"):
            return (contained or {}).get(target[1:])
        return self.by_key.get(target)


def contained_by_id(resource: Json, path: str) -> Json:
    """The contained resources of a resource, by id (for '#id' references)."""
    found: Json = {}
    for i, item in enumerate(structure.objects(resource, "contained", path, limit=MAX_ENTRIES)):
        found[structure.resource_id(item.get("id"), f"{path}.contained[{i}].id")] = item
    return found


def searchset(
    entries: list[Json],
    total: int | None,
    self_url: str,
    next_url: str | None,
    base_url: str,
    included: list[Json] | None = None,
) -> Json:
    """A searchset Bundle of resources that all carry an id, with self and next links, and
    the resources they reference that the search included; `total` None when the search
    pages by position and does not count its matches."""
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    base = base_url.rstrip("/")
    counted = {} if total is None else {"total": total}
    bundle: Json = {"resourceType": "Bundle", "type": "searchset", **counted, "link": links}
    found = [_match(r, base) for r in entries] + [
        _match(r, base, "include") for r in included or []
    ]
    if found:  # FHIR JSON never carries an empty array
        bundle["entry"] = found
    return bundle


def _match(resource: Json, base: str, mode: str = "match") -> Json:
    """A searchset entry for a resource found (or included) by the search."""
    url = f"{base}/{resource['resourceType']}/{resource['id']}"
    return {"fullUrl": url, "resource": resource, "search": {"mode": mode}}
