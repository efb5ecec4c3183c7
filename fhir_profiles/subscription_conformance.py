"""What we publish about subscriptions: the CapabilityStatement's Subscription entry (with the
topic canonicals, backport extension) and the OperationDefinition of $replay."""

from __future__ import annotations

from typing import Any

from domain.notifications import Topic
from fhir_profiles import publication, systems
from fhir_profiles.publication import operation_parameter as parameter
from fhir_profiles.subscriptions import topic_url

Json = dict[str, Any]


def capability_resource() -> Json:
    """The Subscription entry of the CapabilityStatement's rest.resource."""
    return {
        "extension": [
            {"url": systems.EXT_TOPIC_CANONICAL, "valueCanonical": topic_url(topic)}
            for topic in Topic
        ],
        "type": "Subscription",
        "supportedProfile": [systems.SD_BACKPORT_SUBSCRIPTION],
        "documentation": "Notifications rest-hook id-only des prises en charge et des paiements ; "
        "le point de "
        "terminaison doit avoir été enregistré par l'opérateur, et chaque notification est "
        "signée (Standard Webhooks : webhook-id, webhook-timestamp, webhook-signature). Sujets : "
        + "; ".join(f"{topic.value} ({topic.label})" for topic in Topic),
        "interaction": [{"code": code} for code in ("create", "read", "delete", "search-type")],
        "versioning": "no-version",
        "updateCreate": False,
        "searchParam": [
            {
                "name": "status",
                "definition": "http://hl7.org/fhir/SearchParameter/Subscription-status",
                "type": "token",
                "documentation": "requested | active | error | off",
            },
            {
                "name": "url",
                "definition": "http://hl7.org/fhir/SearchParameter/Subscription-url",
                "type": "uri",
                "documentation": "Point de terminaison du canal",
            },
        ],
        "operation": [
            {
                "name": "status",
                "definition": systems.OD_SUBSCRIPTION_STATUS,
                "documentation": "État d'un abonnement (instance seulement).",
            },
            {
                "name": "events",
                "definition": systems.OD_SUBSCRIPTION_EVENTS,
                "documentation": "Événements récents d'un abonnement et état de leur livraison "
                "(parties delivery-status, delivery-attempts, delivery-error) ; paramètres "
                "eventsSinceNumber, eventsUntilNumber, et status=pending|delivered|dead.",
            },
            {
                "name": "replay",
                "definition": systems.OD_SUBSCRIPTION_REPLAY,
                "documentation": "Remet en file les livraisons mortes d'un abonnement.",
            },
        ],
    }


def replay_operation() -> Json:
    """$replay: a subscription's dead deliveries back in the queue, attempts reset."""
    od = publication.header(
        "OperationDefinition", "Subscription-replay", systems.OD_SUBSCRIPTION_REPLAY,
        "SubscriptionReplay", "Relancer les notifications mortes d'un abonnement",
    )  # fmt: skip
    od |= {
        "kind": "operation",
        "description": "Remet en file d'attente les livraisons mortes (toutes les tentatives "
        "échouées) d'un abonnement, dues aussitôt et tentatives remises à zéro. Chaque "
        "notification garde son webhook-id : le destinataire écarte ce qu'il a déjà reçu.",
        "affectsState": True,
        "code": "replay",
        "resource": ["Subscription"],
        "system": False,
        "type": False,
        "instance": True,
        "parameter": [
            parameter("eventsSinceNumber", "in", 0, "string", "Premier événement (inclus)."),
            parameter("eventsUntilNumber", "in", 0, "string", "Dernier événement (inclus)."),
            parameter("replayed", "out", 1, "integer", "Nombre de livraisons remises en file."),
        ],
    }
    return od
