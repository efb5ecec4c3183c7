"""Envelopes: where the request is in what a client sends, for every exchange.

Third-party clients send a request resource in one of four envelopes:

- the bare resource;
- a `collection` Bundle holding it with what it references (Da Vinci PAS, NHCX);
- a `document` Bundle whose first entry is a Composition (HCX; R4 bdl-11);
- a `message` Bundle whose first entry is a MessageHeader (NPHIES; R4 bdl-12) whose `focus`
  points at the request (http://hl7.org/fhir/R4/messaging.html).

`read(body, resource_type)` finds the one request of the wanted type, indexes the entries it
can point to (by fullUrl and by Type/id), and for a message keeps the MessageHeader facts its
answer needs (`fhir_profiles.reply` builds that answer). A Bundle that does not carry its
request the way its type says is an `InvalidEnvelope`: a French detail, the stable code
`enveloppe-invalide` and the FHIRPath at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from domain.errors import MalformedRequest
from fhir_profiles import bindings, structure
from fhir_profiles.bundle import Resources
from fhir_profiles.limits import MAX_ENTRIES

Json = dict[str, Any]
# The Bundle types a request may come in, and the resource each must open with.
ENVELOPES: Final[dict[str, str | None]] = {
    "collection": None,
    "document": "Composition",
    "message": "MessageHeader",
}
HEADER: Final = "Bundle.entry[0].resource"  # where a message's MessageHeader stands


class InvalidEnvelope(MalformedRequest):
    """A Bundle that does not carry a request the way its type says (a structure error)."""

    code = "enveloppe-invalide"


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What answering a message needs from the MessageHeader it came with."""

    header_id: str  # the answer's MessageHeader.response.identifier
    event_coding: Json | None  # eventCoding as received, or None when eventUri is used
    event_uri: str | None
    source: Json  # MessageHeader.source: where the answer goes
    destinations: tuple[Json, ...]  # MessageHeader.destination: who answers
    sender: Json | None  # MessageHeader.sender: the answer's receiver


@dataclass(frozen=True, slots=True)
class Envelope:
    """The request found in an envelope, and the resources its references can point to."""

    kind: str  # "resource", or the Bundle type: "collection", "document", "message"
    request: Json
    resources: Resources = field(default_factory=Resources)
    message: MessageFacts | None = None


def read(body: Any, resource_type: str) -> Envelope:
    """The one `resource_type` resource a body carries, bare or in a Bundle envelope."""
    kind = structure.as_object(body, "Resource").get("resourceType")
    if kind == resource_type:
        return Envelope("resource", body)
    if kind != "Bundle":
        raise MalformedRequest(
            f"Ressource attendue : {resource_type}, seule ou dans un Bundle de type "
            "« collection », « document » ou « message »",
            code="type-ressource-invalide",
        )
    bundle_type = structure.required_string(body, "type", "Bundle")
    bindings.check(bundle_type, bindings.BUNDLE_TYPE, "Bundle.type")
    if bundle_type not in ENVELOPES:
        raise InvalidEnvelope(
            f"Un Bundle de type « {bundle_type} » ne porte pas de demande : types acceptés "
            "« collection », « document » et « message »",
            expression="Bundle.type",
        )
    entries = [
        _entry(e, i)
        for i, e in enumerate(structure.objects(body, "entry", "Bundle", limit=MAX_ENTRIES))
    ]
    _check_first(entries, bundle_type)
    resources = _index(entries)
    if bundle_type == "message":
        return _message(entries, resources, resource_type)
    request = _single(entries, resource_type)
    return Envelope(bundle_type, request, resources)


def opened_message(body: Any) -> tuple[MessageFacts, tuple[str, ...]]:
    """A message Bundle's header facts and the resource types its focus points to (to route
    it), before its request is read."""
    bundle = structure.as_object(body, "Resource")
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "message":
        raise InvalidEnvelope(
            "$process-message attend un Bundle de type « message » ouvert par un MessageHeader",
            expression="Bundle.type",
        )
    entries = [
        _entry(e, i)
        for i, e in enumerate(structure.objects(bundle, "entry", "Bundle", limit=MAX_ENTRIES))
    ]
    _check_first(entries, "message")
    header = entries[0][1]
    focused = _focus(header, _index(entries))
    return _facts(header), tuple(str(r["resourceType"]) for r in focused)


def _entry(entry: Json, i: int) -> tuple[str | None, Json]:
    """One entry's fullUrl and resource, both checked."""
    path = f"Bundle.entry[{i}]"
    resource = structure.required_object(entry, "resource", path)
    structure.required_string(resource, "resourceType", f"{path}.resource")
    if resource.get("id") is not None:
        structure.resource_id(resource["id"], f"{path}.resource.id")
    return structure.optional_string(entry, "fullUrl", path), resource


def _index(entries: list[tuple[str | None, Json]]) -> Resources:
    """Every entry by its fullUrl and by Type/id, as references may name it either way."""
    index: dict[str, Json] = {}
    for full_url, resource in entries:
        if full_url is not None:
            index[full_url] = resource
        if resource.get("id") is not None:
            index[f"{resource['resourceType']}/{resource['id']}"] = resource
    return Resources(index)


def _check_first(entries: list[tuple[str | None, Json]], bundle_type: str) -> None:
    """A document opens with its Composition, a message with its MessageHeader."""
    first = ENVELOPES[bundle_type]
    if first is not None and (not entries or entries[0][1]["resourceType"] != first):
        raise InvalidEnvelope(
            f"La première entrée d'un Bundle « {bundle_type} » doit être un {first}",
            expression=HEADER if entries else "Bundle.entry",
        )


def _single(entries: list[tuple[str | None, Json]], resource_type: str) -> Json:
    """The one resource of a type among the entries (none or two is an error)."""
    found = [r for _, r in entries if r["resourceType"] == resource_type]
    if len(found) != 1:
        raise InvalidEnvelope(
            f"Le Bundle doit contenir exactement une {resource_type} ({len(found)} trouvée(s))",
            expression="Bundle.entry",
        )
    return found[0]


def _message(
    entries: list[tuple[str | None, Json]], resources: Resources, resource_type: str
) -> Envelope:
    """The request a message's MessageHeader focuses on, with the header's facts."""
    header = entries[0][1]
    facts = _facts(header)
    focused = _focus(header, resources)
    wanted = [r for r in focused if r["resourceType"] == resource_type]
    if len(wanted) != 1:
        raise InvalidEnvelope(
            f"MessageHeader.focus doit désigner une et une seule {resource_type} "
            f"({len(wanted)} désignée(s))",
            expression=f"{HEADER}.focus",
        )
    _single(entries, resource_type)  # a second request beside the focused one is ambiguous
    return Envelope("message", wanted[0], resources, facts)


def _focus(header: Json, resources: Resources) -> list[Json]:
    """The entries MessageHeader.focus points to, each one required to be in the Bundle."""
    path = f"{HEADER}.focus"
    found = []
    for i, value in enumerate(structure.objects(header, "focus", HEADER, limit=MAX_ENTRIES)):
        target = resources.resolve(structure.reference(value, f"{path}[{i}]"))
        if target is None:
            raise InvalidEnvelope(
                "MessageHeader.focus désigne une ressource absente du Bundle : la référence "
                "doit reprendre le fullUrl ou le Type/id d'une entrée",
                expression=f"{path}[{i}]",
            )
        found.append(target)
    return found


def _facts(header: Json) -> MessageFacts:
    """The MessageHeader elements an answer needs, checked (R4 cardinalities)."""
    if header.get("id") is None:
        raise InvalidEnvelope(
            "Le MessageHeader doit porter un id : la réponse le cite dans "
            "MessageHeader.response.identifier",
            expression=f"{HEADER}.id",
        )
    coding = structure.optional_object(header, "eventCoding", HEADER)
    uri = structure.optional_string(header, "eventUri", HEADER)
    if (coding is None) == (uri is None):
        raise InvalidEnvelope(
            "Le MessageHeader doit porter son événement : eventCoding ou eventUri",
            expression=f"{HEADER}.event",
        )
    source = structure.optional_object(header, "source", HEADER) or {}
    if structure.optional_string(source, "endpoint", f"{HEADER}.source") is None:
        raise InvalidEnvelope(
            "MessageHeader.source.endpoint est obligatoire : c'est là que part la réponse",
            expression=f"{HEADER}.source.endpoint",
        )
    sender = structure.optional_object(header, "sender", HEADER)
    return MessageFacts(
        header_id=structure.resource_id(header["id"], f"{HEADER}.id"),
        event_coding=coding,
        event_uri=uri,
        source=source,
        destinations=tuple(_destinations(header)),
        sender=None if sender is None else structure.reference(sender, f"{HEADER}.sender"),
    )


def _destinations(header: Json) -> list[Json]:
    """MessageHeader.destination, each endpoint and receiver well typed."""
    found = structure.objects(header, "destination", HEADER, limit=MAX_ENTRIES)
    for i, destination in enumerate(found):
        path = f"{HEADER}.destination[{i}]"
        structure.optional_string(destination, "endpoint", path)
        receiver = structure.optional_object(destination, "receiver", path)
        if receiver is not None:
            structure.reference(receiver, f"{path}.receiver")
    return found
