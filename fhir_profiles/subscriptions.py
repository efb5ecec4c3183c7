"""Subscription (R4, Subscriptions R5 Backport IG style) <-> domain, and the topics we publish.

A subscription names a topic by its canonical URL in `criteria`, may narrow it with
backport filter-criteria extensions on `_criteria`, and asks for a rest-hook channel whose
endpoint the operator registered for the provider beforehand. Notifications are id-only
(application/fhir+json): they say which resource changed, never its content.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final
from urllib.parse import parse_qsl

from domain.errors import DomainError, InvalidRequest, MalformedRequest, UnknownCode
from domain.notifications import Topic
from domain.subscriptions import FocusFilter, Subscribe, Subscription
from fhir_profiles import structure, systems

Json = dict[str, Any]
SUBSCRIPTION: Final = "Subscription"
# The elements of an R4 Subscription (anything else is refused).
ELEMENTS: Final = frozenset(
    {
        "resourceType", "id", "meta", "implicitRules", "language", "text", "contained",
        "extension", "modifierExtension", "status", "contact", "end", "reason", "criteria",
        "error", "channel",
    }
)  # fmt: skip
CHANNEL_ELEMENTS: Final = frozenset(
    {"id", "extension", "modifierExtension", "type", "endpoint", "payload", "header"}
)
REST_HOOK: Final = "rest-hook"
PAYLOAD: Final = "application/fhir+json"
ID_ONLY: Final = "id-only"
# What an event's focus is, per topic: what a filter may name.
FOCUS_TYPES: Final[dict[Topic, str]] = {
    topic: "PaymentNotice" if topic is Topic.PAYMENT_NOTIFIED else "ClaimResponse"
    for topic in Topic
}
FILTER_PARAMETERS: Final = ("_id",)
MAX_FILTERS: Final = 10
MAX_URL_CHARS: Final = 2048  # longer is no webhook endpoint; bounds what is compared and stored
_INSTANT: Final = re.compile(
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:"
    r"([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)


def topic_url(topic: Topic) -> str:
    """The canonical URL of a topic, as `criteria` names it."""
    return f"{systems.SUBSCRIPTION_TOPIC}/{topic.value}"


TOPICS: Final[dict[str, Topic]] = {topic_url(topic): topic for topic in Topic}


def to_domain(body: Json) -> Subscribe:
    """Check a Subscription and turn it into the command; only domain errors come out."""
    try:
        return _to_domain(body)
    except DomainError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise MalformedRequest(
            "La ressource n'a pas la structure d'une Subscription R4", code="ressource-invalide"
        ) from exc


def _to_domain(body: Json) -> Subscribe:
    if body.get("resourceType") != SUBSCRIPTION:
        raise MalformedRequest(
            "Une ressource Subscription est attendue", code="type-ressource-invalide"
        )
    structure.only_known(body, ELEMENTS, SUBSCRIPTION)
    _check_status(body)
    reason = structure.required_string(body, "reason", SUBSCRIPTION)
    topic = _topic(body)
    channel = structure.required_object(body, "channel", SUBSCRIPTION)
    return Subscribe(
        topic=topic,
        endpoint_url=_endpoint(channel),
        reason=reason.strip(),
        filters=_filters(body, topic),
        end=_end(body),
    )


def _check_status(body: Json) -> None:
    path = f"{SUBSCRIPTION}.status"
    status = structure.required_string(body, "status", SUBSCRIPTION)
    if status not in ("requested", "active"):
        raise InvalidRequest(
            "Un abonnement se crée au statut « requested » (ou « active »)", expression=path
        )


def _topic(body: Json) -> Topic:
    criteria = structure.required_string(body, "criteria", SUBSCRIPTION)
    topic = TOPICS.get(criteria)
    if topic is None:
        known = ", ".join(TOPICS)
        raise UnknownCode(
            f"Sujet inconnu ; sujets publiés : {known}",
            code="sujet-inconnu",
            expression=f"{SUBSCRIPTION}.criteria",
        )
    return topic


def _endpoint(channel: Json) -> str:
    path = f"{SUBSCRIPTION}.channel"
    structure.only_known(channel, CHANNEL_ELEMENTS, path)
    kind = structure.required_string(channel, "type", path)
    if kind != REST_HOOK:
        raise _channel(f"Seul le canal « {REST_HOOK} » est pris en charge", f"{path}.type")
    if "header" in channel:
        raise _channel(
            "Les en-têtes de canal ne sont pas pris en charge : chaque notification est signée "
            "(Standard Webhooks) avec le secret remis à l'enregistrement du point de terminaison",
            f"{path}.header",
        )
    payload = structure.optional_string(channel, "payload", path) or PAYLOAD
    if payload != PAYLOAD:
        raise _channel(f"Seul le format « {PAYLOAD} » est pris en charge", f"{path}.payload")
    content = _extension_values(channel.get("_payload"), systems.EXT_PAYLOAD_CONTENT, "valueCode")
    if any(value != ID_ONLY for value in content):
        raise _channel(
            "Seul le contenu « id-only » est pris en charge : une notification ne porte "
            "jamais de données de patient",
            f"{path}.payload",
        )
    url = structure.required_string(channel, "endpoint", path)
    if len(url) > MAX_URL_CHARS:
        raise structure.invalid("URL de point de terminaison trop longue", f"{path}.endpoint")
    return url


def _channel(detail: str, expression: str) -> InvalidRequest:
    return InvalidRequest(detail, code="canal-non-pris-en-charge", expression=expression)


def _filters(body: Json, topic: Topic) -> tuple[FocusFilter, ...]:
    path = f"{SUBSCRIPTION}.criteria"
    texts = _extension_values(body.get("_criteria"), systems.EXT_FILTER_CRITERIA, "valueString")
    if len(texts) > MAX_FILTERS:
        raise InvalidRequest(f"Au plus {MAX_FILTERS} filtres", code="filtre-non-pris-en-charge")
    return tuple(parse_filter(text, topic, path) for text in texts)


def parse_filter(text: str, topic: Topic, path: str = f"{SUBSCRIPTION}.criteria") -> FocusFilter:
    """A filter-criteria string ("ClaimResponse?_id=a,b") as the domain filter it stands for."""
    resource_type, _, query = text.partition("?")
    expected = FOCUS_TYPES[topic]
    if resource_type != expected:
        raise _filter(f"Un filtre de ce sujet porte sur {expected} (reçu : {resource_type[:64]})")
    ids: list[str] = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in FILTER_PARAMETERS:
            supported = ", ".join(FILTER_PARAMETERS)
            raise _filter(f"Paramètre de filtre non pris en charge : {name[:64]} ({supported})")
        ids += [structure.resource_id(v, path) for v in value.split(",")]
    return FocusFilter(expected, tuple(ids))


def _filter(detail: str) -> InvalidRequest:
    return InvalidRequest(
        detail, code="filtre-non-pris-en-charge", expression=f"{SUBSCRIPTION}.criteria"
    )


def filter_text(found: FocusFilter) -> str:
    """A domain filter written back as filter-criteria."""
    query = f"_id={','.join(found.ids)}" if found.ids else ""
    return f"{found.resource_type}?{query}"


def _extension_values(element: Any, url: str, value_key: str) -> list[str]:
    """The values of one extension on a primitive's `_element` ({"extension": [...]})."""
    if element is None:
        return []
    holder = structure.as_object(element, SUBSCRIPTION)
    found = []
    for i, ext in enumerate(structure.objects(holder, "extension", SUBSCRIPTION, limit=100)):
        if ext.get("url") == url:
            found.append(structure.as_string(ext.get(value_key), f"extension[{i}].{value_key}"))
    return found


def _end(body: Json) -> datetime | None:
    text = structure.optional_string(body, "end", SUBSCRIPTION)
    if text is None:
        return None
    if not _INSTANT.fullmatch(text):
        raise structure.invalid(
            "Un instant avec fuseau est attendu (AAAA-MM-JJThh:mm:ssZ)", f"{SUBSCRIPTION}.end"
        )
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def from_domain(subscription: Subscription) -> Json:
    """The Subscription resource as the provider reads it back."""
    resource: Json = {
        "resourceType": SUBSCRIPTION,
        "id": subscription.id,
        "meta": {"profile": [systems.SD_BACKPORT_SUBSCRIPTION]},
        "status": subscription.status.value,
        "reason": subscription.reason,
        "criteria": topic_url(subscription.topic),
    }
    if subscription.filters:
        resource["_criteria"] = {
            "extension": [
                {"url": systems.EXT_FILTER_CRITERIA, "valueString": filter_text(f)}
                for f in subscription.filters
            ]
        }
    if subscription.end is not None:
        resource["end"] = instant(subscription.end)
    if subscription.error:
        resource["error"] = subscription.error
    resource["channel"] = {
        "type": REST_HOOK,
        "endpoint": subscription.endpoint_url,
        "payload": PAYLOAD,
        "_payload": {"extension": [{"url": systems.EXT_PAYLOAD_CONTENT, "valueCode": ID_ONLY}]},
    }
    return resource


def instant(at: datetime) -> str:
    """A FHIR instant in UTC, to the millisecond."""
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
