"""What a provider may subscribe to: the topics of the events the gateway notifies.

A topic's code is stable once published; its canonical URL is built by fhir_profiles
(SubscriptionTopic/<code>). An event says only which resource changed, never its content:
the receiver fetches it with its own credentials (FHIR "id-only" notifications).
"""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    """The events a provider hears of: of its prises en charge, and of its payments."""

    PA_DECIDED = "prior-authorization-decided"  # granted, partial or refused
    PA_INFORMATION_REQUESTED = "prior-authorization-information-requested"
    PA_EXPIRED = "prior-authorization-expired"
    PA_OVERDUE = "prior-authorization-overdue"  # the payer's deadline passed undecided
    PAYMENT_NOTIFIED = "payment-notified"  # the bank executed a transfer: a PaymentNotice

    @property
    def label(self) -> str:
        """What the topic is about, in French."""
        return _LABELS[self]


_LABELS = {
    Topic.PA_DECIDED: "Prise en charge décidée (accord, accord partiel ou refus)",
    Topic.PA_INFORMATION_REQUESTED: "Complément d'information demandé par le payeur",
    Topic.PA_EXPIRED: "Prise en charge expirée",
    Topic.PA_OVERDUE: "Délai de réponse du payeur dépassé",
    Topic.PAYMENT_NOTIFIED: "Paiement exécuté par la banque (avis de paiement)",
}
