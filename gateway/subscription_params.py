"""What a caller writes to search subscriptions and to list or replay their events, checked.

Unknown parameters are refused rather than ignored (a caller who misspells a filter must not
replay every dead delivery); values are bounded and free of control characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from domain.errors import MalformedRequest
from domain.subscriptions import DeliveryStatus, EventQuery, SubscriptionQuery, SubscriptionStatus
from fhir_profiles import structure
from gateway.search import MAX_COUNT, MAX_VALUE_CHARS, InvalidSearch

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NUMBER = re.compile(r"[0-9]{1,15}")
_NAME = re.compile(r"[A-Za-z0-9_:.\-]{1,64}")
SEARCH = ("status", "url", "_count", "_offset")
EVENTS = ("eventsSinceNumber", "eventsUntilNumber", "status", "content", "_count")
RANGE = ("eventsSinceNumber", "eventsUntilNumber")


def subscription_query(params: Sequence[tuple[str, str]], *, tenant: str) -> SubscriptionQuery:
    """GET [base]/Subscription?status=&url=&_count=&_offset=."""
    values = _values(params, SEARCH)
    status = values.get("status")
    return SubscriptionQuery(
        tenant=tenant,
        status=None if status is None else _enum(SubscriptionStatus, status, "status"),
        url=values.get("url"),
        limit=_int(values.get("_count"), 20, 1, MAX_COUNT, "_count"),
        offset=_int(values.get("_offset"), 0, 0, 1_000_000, "_offset"),
    )


def event_query(params: Sequence[tuple[str, str]]) -> EventQuery:
    """$events?eventsSinceNumber=&eventsUntilNumber=&status=&_count= (content is a hint: every
    listing is id-only)."""
    values = _values(params, EVENTS)
    status = values.get("status")
    return EventQuery(
        since=_number(values.get("eventsSinceNumber"), "eventsSinceNumber"),
        until=_number(values.get("eventsUntilNumber"), "eventsUntilNumber"),
        status=None if status is None else _enum(DeliveryStatus, status, "status"),
        limit=_int(values.get("_count"), 50, 1, MAX_COUNT, "_count"),
    )


def replay_range(body: dict[str, Any] | None) -> EventQuery:
    """$replay's Parameters (eventsSinceNumber, eventsUntilNumber); no body: every event."""
    if body is None:
        return EventQuery()
    if body.get("resourceType") != "Parameters":
        raise MalformedRequest("Un Parameters est attendu", code="type-ressource-invalide")
    found: dict[str, str] = {}
    for i, parameter in enumerate(structure.objects(body, "parameter", "Parameters", limit=10)):
        path = f"Parameters.parameter[{i}]"
        name = structure.required_string(parameter, "name", path)
        if name not in RANGE or name in found:
            raise InvalidSearch(f"Paramètre inattendu ou répété : {_shown(name)}")
        value = parameter.get("valueString", parameter.get("valueInteger"))
        found[name] = str(value) if isinstance(value, str | int) else ""
    return EventQuery(
        since=_number(found.get("eventsSinceNumber"), "eventsSinceNumber"),
        until=_number(found.get("eventsUntilNumber"), "eventsUntilNumber"),
    )


def _values(params: Sequence[tuple[str, str]], supported: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in params:
        if name not in supported:
            raise InvalidSearch(f"Paramètre non pris en charge : {_shown(name)}")
        if name in values:
            raise InvalidSearch(f"Le paramètre {name} ne peut être répété")
        if len(value) > MAX_VALUE_CHARS or _CONTROL.search(value):
            raise InvalidSearch(f"Valeur de {name} trop longue ou avec des caractères de contrôle")
        values[name] = value
    return values


def _shown(name: str) -> str:
    return name if _NAME.fullmatch(name) else "(illisible)"


def _enum(kind: Any, value: str, name: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = " | ".join(member.value for member in kind)
        raise InvalidSearch(f"{name} attend {allowed}") from None


def _number(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not _NUMBER.fullmatch(value):
        raise InvalidSearch(f"{name} attend un numéro d'événement (entier positif)")
    return int(value)


def _int(value: str | None, default: int, low: int, high: int, name: str) -> int:
    if value is None:
        return default
    if not _NUMBER.fullmatch(value) or not low <= int(value) <= high:
        raise InvalidSearch(f"{name} doit être un entier entre {low} et {high}")
    return int(value)
