"""Bundles: resolving references inside a request Bundle, and searchset answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.errors import MalformedRequest
from fhir_profiles import bindings, structure

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


def collection(body: Json) -> tuple[Json, Resources]:
    """The single CoverageEligibilityRequest of a collection Bundle, and what it can point to."""
    kind = structure.required_string(body, "type", "Bundle")
    bindings.check(kind, bindings.BUNDLE_TYPE, "Bundle.type")
    if kind != "collection":
        raise MalformedRequest(
            "Seul un Bundle de type « collection » est accepté sur ce point d'accès",
            code="requete-invalide",
            expression="Bundle.type",
        )
    index: dict[str, Json] = {}
    requests = []
    for i, entry in enumerate(structure.objects(body, "entry", "Bundle")):
        resource = _entry_resource(entry, i, index)
        if resource.get("resourceType") == "CoverageEligibilityRequest":
            requests.append(resource)
    if len(requests) != 1:
        raise MalformedRequest(
            f"Le Bundle doit contenir exactement une CoverageEligibilityRequest ({len(requests)})",
            code="requete-invalide",
            expression="Bundle.entry",
        )
    return requests[0], Resources(index)


def _entry_resource(entry: Json, i: int, index: dict[str, Json]) -> Json:
    """One entry's resource, indexed by its fullUrl and by Type/id."""
    path = f"Bundle.entry[{i}]"
    resource = structure.required_object(entry, "resource", path)
    kind = structure.required_string(resource, "resourceType", f"{path}.resource")
    full_url = structure.optional_string(entry, "fullUrl", path)
    if full_url is not None:
        index[full_url] = resource
    if resource.get("id") is not None:
        rid = structure.resource_id(resource["id"], f"{path}.resource.id")
        index[f"{kind}/{rid}"] = resource
    return resource


def contained_by_id(resource: Json, path: str) -> Json:
    """The contained resources of a resource, by id (for '#id' references)."""
    found: Json = {}
    for i, item in enumerate(structure.objects(resource, "contained", path)):
        found[structure.resource_id(item.get("id"), f"{path}.contained[{i}].id")] = item
    return found


def searchset(
    entries: list[Json], total: int, self_url: str, next_url: str | None, base_url: str
) -> Json:
    """A searchset Bundle of resources that all carry an id, with self and next links."""
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    base = base_url.rstrip("/")
    bundle: Json = {"resourceType": "Bundle", "type": "searchset", "total": total, "link": links}
    if entries:  # FHIR JSON never carries an empty array
        bundle["entry"] = [_match(r, base) for r in entries]
    return bundle


def _match(resource: Json, base: str) -> Json:
    """A searchset entry for a resource found by the search."""
    url = f"{base}/{resource['resourceType']}/{resource['id']}"
    return {"fullUrl": url, "resource": resource, "search": {"mode": "match"}}
