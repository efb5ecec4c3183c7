"""The answer to a FHIR message: a `message` Bundle opened by a MessageHeader that answers the
request's (R4 messaging, http://hl7.org/fhir/R4/messaging.html).

- `response.identifier` is the request MessageHeader's id; `response.code` is `ok` when the
  answer is a response resource (its `focus`), `fatal-error` or `transient-error` when it is an
  OperationOutcome (then pointed to by `response.details`);
- the event is the request's, except in systems that name answers apart: NPHIES answers
  `eligibility-request` with `eligibility-response` (ksa-message-events: `priorauth-`,
  `claim-`, `cancel-`... `-request` / `-response`);
- source and destination are the request's, swapped: the answer leaves from the endpoint the
  request was addressed to and goes back to the request's source and sender.

Ids and timestamps are given by the caller: this package has no clock and draws no uuid.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Final

from fhir_profiles.envelope import MessageFacts

Json = dict[str, Any]
NPHIES_EVENTS: Final = "http://nphies.sa/terminology/CodeSystem/ksa-message-events"
# Event systems in which the answer to `X-request` is the event `X-response`.
RESPONSE_EVENT_SYSTEMS: Final = frozenset({NPHIES_EVENTS})
# OperationOutcome issue types worth a retry (R4 response-code transient-error).
TRANSIENT_ISSUES: Final = frozenset(
    {"transient", "lock-error", "no-store", "exception", "timeout", "throttled"}
)
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def answer(
    resource: Json, message: MessageFacts, *, message_id: str, timestamp: datetime, base_url: str
) -> Json:
    """The message Bundle answering `message` with a response resource or an OperationOutcome."""
    base = base_url.rstrip("/")
    kind = resource["resourceType"]
    body = resource if resource.get("id") else {**resource, "id": message_id}
    body_url = f"{base}/{kind}/{body['id']}"
    header = _header(message, message_id, base)
    if kind == "OperationOutcome":
        header["response"] |= {"code": _error_code(body), "details": {"reference": body_url}}
    else:
        header["focus"] = [{"reference": body_url}]
    return {
        "resourceType": "Bundle",
        "id": message_id,
        "type": "message",
        "timestamp": _instant(timestamp),
        "entry": [
            {"fullUrl": _header_url(message_id, base), "resource": header},
            {"fullUrl": body_url, "resource": body},
        ],
    }


def answer_event(message: MessageFacts) -> Json:
    """The event of the answer: eventCoding or eventUri, mirrored from the request."""
    if message.event_coding is None:
        return {"eventUri": message.event_uri}
    coding = dict(message.event_coding)
    code = coding.get("code")
    if coding.get("system") in RESPONSE_EVENT_SYSTEMS and str(code).endswith("-request"):
        coding["code"] = f"{str(code).removesuffix('-request')}-response"
        coding.pop("display", None)  # it named the request's event
    return {"eventCoding": coding}


def _header(message: MessageFacts, message_id: str, base: str) -> Json:
    """The answer's MessageHeader, before its focus or details."""
    ours = message.destinations[0] if message.destinations else {}
    header: Json = {"resourceType": "MessageHeader", "id": message_id, **answer_event(message)}
    header["destination"] = [_back_to(message)]
    if "receiver" in ours:
        header["sender"] = ours["receiver"]
    header["source"] = {"endpoint": ours.get("endpoint") or base}
    if "name" in ours:
        header["source"]["name"] = ours["name"]
    header["response"] = {"identifier": message.header_id, "code": "ok"}
    return header


def _back_to(message: MessageFacts) -> Json:
    """The answer's destination: the request's source endpoint, its sender as receiver."""
    destination: Json = {"endpoint": message.source["endpoint"]}
    if "name" in message.source:
        destination["name"] = message.source["name"]
    if message.sender is not None:
        destination["receiver"] = message.sender
    return destination


def _error_code(outcome: Json) -> str:
    """transient-error when an issue says retrying may help, else fatal-error."""
    kinds = {issue.get("code") for issue in outcome.get("issue", [])}
    return "transient-error" if kinds & TRANSIENT_ISSUES else "fatal-error"


def _header_url(message_id: str, base: str) -> str:
    """The MessageHeader's fullUrl: its urn:uuid when the id is a uuid (messages are not read
    back at a REST address)."""
    if _UUID.fullmatch(message_id.lower()):
        return f"urn:uuid:{message_id.lower()}"
    return f"{base}/MessageHeader/{message_id}"


def _instant(moment: datetime) -> str:
    """A FHIR instant, in UTC when the datetime carries no zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")
