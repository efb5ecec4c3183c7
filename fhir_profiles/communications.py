"""Requests for information on a prise en charge and the provider's answers, in FHIR R4.

- A reviewer's question is a CommunicationRequest: `about` the Claim and its ClaimResponse
  (no patient data beyond what the Claim already holds), its coded `reasonCode` (our reason
  CodeSystem), its note as `payload.contentString`, from the payer (`requester`, by
  identifier) to the provider that made the request (`recipient`, as the Claim names it).
  Its status follows the request: active while awaited, completed once answered, revoked
  when the prise en charge was decided or cancelled unanswered.
- The provider's answer is a Communication, status completed, `basedOn` the request it
  answers, with notes (`contentString`) and documents (`contentAttachment`, see
  `fhir_profiles.attachments`). It is stored as we render it: our id, the references of its
  request, what the provider said and joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson

from domain.authorization_ports import MessageComposer
from domain.errors import InvalidRequest, MalformedRequest, TooLarge
from domain.prior_auth import PriorAuthorization
from domain.records import Message, StoredAuthorization
from domain.services.information import RequestState, request_state
from fhir_profiles import attachments, messages, structure, systems
from fhir_profiles.limits import MAX_ATTACHMENTS, MAX_IDENTIFIERS, MAX_PAYLOADS, MAX_TEXT_CHARS

Json = dict[str, Any]

ASKED: Final = "demande-complement"
ANSWERED: Final = "reponse-complement"
CATEGORY_LABELS: Final = {
    ASKED: "Demande de complément d'information sur une prise en charge",
    ANSWERED: "Réponse à une demande de complément d'information",
}
# What a request's state reads as (R4 request-status).
REQUEST_STATUS: Final = {
    RequestState.OPEN: "active",
    RequestState.ANSWERED: "completed",
    RequestState.CLOSED: "revoked",
}
_COMMUNICATION_ELEMENTS: Final = frozenset(
    {
        "resourceType", "id", "meta", "implicitRules", "language", "text", "contained",
        "extension", "modifierExtension", "identifier", "instantiatesCanonical",
        "instantiatesUri", "basedOn", "partOf", "inResponseTo", "status", "statusReason",
        "category", "priority", "medium", "subject", "topic", "about", "encounter", "sent",
        "received", "recipient", "sender", "reasonCode", "reasonReference", "payload", "note",
    }
)  # fmt: skip
_PAYLOAD_ELEMENTS: Final = frozenset(
    {"id", "extension", "modifierExtension", "contentString", "contentAttachment",
     "contentReference"}
)  # fmt: skip
_REQUEST_REF: Final = re.compile(r"(?:.*/)?CommunicationRequest/([A-Za-z0-9\-.]{1,64})")


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    """A provider's Communication as read: the request it answers and what it says."""

    request_id: str
    payload: tuple[Json, ...]  # contentString and contentAttachment items, checked
    identifiers: tuple[Json, ...] = ()  # the provider's own identifiers of its answer
    sent: str | None = None  # when the provider says it sent it


def request_composer(reason: str, note: str) -> MessageComposer:
    """What writes a reviewer's question (a CommunicationRequest) once it has an id."""

    def compose(stored: StoredAuthorization, message_id: str, at: datetime) -> bytes:
        return orjson.dumps(communication_request(stored, message_id, at, reason, note))

    return compose


def communication_request(
    stored: StoredAuthorization, message_id: str, at: datetime, reason: str, note: str
) -> Json:
    """A reviewer's question as a CommunicationRequest, active."""
    pa = stored.authorization
    resource: Json = {
        "resourceType": "CommunicationRequest",
        "id": message_id,
        "status": "active",
        "category": [_category(ASKED)],
        "about": _about(stored),
        "payload": [{"contentString": note or messages.label(reason)}],
        "authoredOn": at.isoformat(),
        "requester": _payer(pa.payer),
        "reasonCode": [{"coding": [_coding(systems.CS_REASON, reason, messages.label(reason))]}],
    }
    provider = _claim_provider(stored.request_body)
    if provider is not None:
        resource["recipient"] = [provider]
    return resource


def request_as_read(message: Message, authorization: PriorAuthorization) -> Json:
    """A stored CommunicationRequest with the status its request now has."""
    resource: Json = orjson.loads(message.body)
    resource["status"] = REQUEST_STATUS[request_state(message, authorization)]
    return resource


def answer_as_read(message: Message) -> Json:
    """A stored Communication, as the provider's answer was kept."""
    resource: Json = orjson.loads(message.body)
    return resource


def read_answer(body: Json, *, max_attachment_bytes: int) -> ProviderAnswer:
    """A provider's Communication answering a request for information, checked."""
    if body.get("resourceType") != "Communication":
        raise MalformedRequest("Ressource attendue : Communication", code="type-ressource-invalide")
    structure.only_known(body, _COMMUNICATION_ELEMENTS, "Communication")
    if body.get("status") != "completed":
        raise InvalidRequest(
            "Une réponse transmise a le statut « completed »",
            code="statut-communication-invalide",
            expression="Communication.status",
        )
    identifiers = structure.objects(body, "identifier", "Communication", limit=MAX_IDENTIFIERS)
    for i, ident in enumerate(identifiers):
        structure.identifier(ident, f"Communication.identifier[{i}]")
    sent = structure.optional_string(body, "sent", "Communication")
    return ProviderAnswer(
        request_id=_answered_request(body),
        payload=_payload(body, max_attachment_bytes),
        identifiers=tuple(identifiers),
        sent=None if sent is None else structure.date_time(sent, "Communication.sent"),
    )


def answer_composer(answer: ProviderAnswer, sender_inpe: str) -> MessageComposer:
    """What writes a provider's answer (a Communication) once it has an id."""

    def compose(stored: StoredAuthorization, message_id: str, at: datetime) -> bytes:
        return orjson.dumps(communication(answer, sender_inpe, stored, message_id, at))

    return compose


def communication(
    answer: ProviderAnswer,
    sender_inpe: str,
    stored: StoredAuthorization,
    message_id: str,
    at: datetime,
) -> Json:
    """A provider's answer as we keep it: completed, under our id, with its references."""
    resource: Json = {"resourceType": "Communication", "id": message_id}
    if answer.identifiers:
        resource["identifier"] = list(answer.identifiers)
    resource |= {
        "basedOn": [{"reference": f"CommunicationRequest/{answer.request_id}"}],
        "status": "completed",
        "category": [_category(ANSWERED)],
        "about": _about(stored),
        "sent": answer.sent or at.isoformat(),
        "received": at.isoformat(),
        "recipient": [_payer(stored.authorization.payer)],
        "sender": _organization(systems.INPE, sender_inpe),
        "payload": list(answer.payload),
    }
    return resource


def documents(resource: Json) -> list[tuple[str, bytes]]:
    """The (content type, bytes) of each document a stored Communication carries."""
    return [
        (item["contentAttachment"]["contentType"], attachments.decoded(item["contentAttachment"]))
        for item in resource.get("payload", [])
        if "contentAttachment" in item
    ]


def _answered_request(body: Json) -> str:
    """The one CommunicationRequest a Communication is based on (relative or absolute)."""
    path = "Communication.basedOn"
    found: list[str] = []
    for i, item in enumerate(structure.objects(body, "basedOn", "Communication", limit=10)):
        target = structure.reference(item, f"{path}[{i}]").get("reference")
        match = _REQUEST_REF.fullmatch(target) if isinstance(target, str) else None
        if match is not None:
            found.append(match.group(1))
    if len(found) != 1:
        raise InvalidRequest(
            "basedOn désigne la demande de complément à laquelle la réponse répond, une seule : "
            "CommunicationRequest/[id]",
            code="demande-complement-absente",
            expression=path,
        )
    return found[0]


def _payload(body: Json, max_attachment_bytes: int) -> tuple[Json, ...]:
    items = structure.objects(body, "payload", "Communication", limit=MAX_PAYLOADS)
    if not items:
        raise InvalidRequest(
            "La réponse porte un texte (contentString) ou un document (contentAttachment)",
            code="communication-vide",
            expression="Communication.payload",
        )
    joined = sum(1 for item in items if "contentAttachment" in item)
    if joined > MAX_ATTACHMENTS:  # counted before any is decoded
        raise TooLarge(
            f"Au plus {MAX_ATTACHMENTS} pièces jointes par réponse ({joined} reçues)",
            code="pieces-jointes-trop-nombreuses",
            expression="Communication.payload",
        )
    return tuple(
        _content(item, f"Communication.payload[{i}]", max_attachment_bytes)
        for i, item in enumerate(items)
    )


def _content(item: Json, path: str, max_attachment_bytes: int) -> Json:
    structure.only_known(item, _PAYLOAD_ELEMENTS, path)
    given = [
        name for name in ("contentString", "contentAttachment", "contentReference") if name in item
    ]
    if len(given) != 1:
        raise structure.invalid("Un contenu par élément : contentString ou contentAttachment", path)
    if given[0] == "contentReference":
        raise structure.invalid(
            "Un document est joint (contentAttachment), pas désigné (contentReference)",
            f"{path}.contentReference",
        )
    if given[0] == "contentAttachment":
        return {
            "contentAttachment": attachments.read_attachment(
                item["contentAttachment"],
                f"{path}.contentAttachment",
                max_bytes=max_attachment_bytes,
            )
        }
    text = structure.as_string(item["contentString"], f"{path}.contentString")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidRequest(
            f"Texte de {len(text)} caractères : au plus {MAX_TEXT_CHARS} (joignez un document)",
            code="texte-trop-long",
            expression=f"{path}.contentString",
        )
    return {"contentString": text}


def _about(stored: StoredAuthorization) -> list[Json]:
    """The Claim (when known) and the ClaimResponse a message is about."""
    about = [{"reference": f"ClaimResponse/{stored.authorization.id}"}]
    if stored.request_id:
        about.insert(0, {"reference": f"Claim/{stored.request_id}"})
    return about


def _claim_provider(request_body: bytes) -> Json | None:
    """The provider as the stored Claim names it (Claim.provider), outside references local
    to the Claim; None when the request is not a Claim we can read."""
    try:
        claim = orjson.loads(request_body)
    except orjson.JSONDecodeError:
        return None
    provider = claim.get("provider") if isinstance(claim, dict) else None
    if not isinstance(provider, dict):
        return None
    kept = {k: provider[k] for k in ("reference", "type", "identifier", "display") if k in provider}
    if str(kept.get("reference", "")).startswith("#"):
        del kept["reference"]  # a contained resource: meaningless outside its Claim
    return kept if set(kept) - {"type"} else None


def _payer(payer: str) -> Json:
    return _organization(systems.PAYER_ID, payer)


def _organization(system: str, value: str) -> Json:
    return {"type": "Organization", "identifier": {"system": system, "value": value}}


def _category(code: str) -> Json:
    return {"coding": [_coding(systems.CS_COMMUNICATION_CATEGORY, code, CATEGORY_LABELS[code])]}


def _coding(system: str, code: str, display: str) -> Json:
    return {"system": system, "code": code, "display": display}
