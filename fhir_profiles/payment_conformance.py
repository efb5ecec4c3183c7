"""What we publish about payment tracking: the CapabilityStatement's PaymentReconciliation and
PaymentNotice entries (read and searched by the provider paid, its own only)."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]
HL7_PARAMETER = "http://hl7.org/fhir/SearchParameter"


def capability_resources() -> list[Json]:
    """The rest.resource entries of PaymentReconciliation and PaymentNotice."""
    return [_reconciliation(), _notice()]


def _reconciliation() -> Json:
    kind = "PaymentReconciliation"
    return {
        "type": kind,
        "documentation": "Un virement du payeur au prestataire : montant, date, identifiant "
        "de bout en bout (EndToEndId), et une ligne par demande réglée (Claim, ClaimResponse, "
        "montant). outcome : queued (transmis à la banque), complete (exécuté), error "
        "(rejeté, motif dans disposition). Les virements du seul prestataire appelant.",
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "no-version",
        "searchParam": [
            {
                "name": "payer",
                "type": "token",
                "documentation": "Code du payeur (CNSS, CNOPS) qui a émis le virement",
            },
            _hl7(kind, "status", "token", "active (transmis ou exécuté) ou cancelled (rejeté)"),
            _hl7(kind, "outcome", "token", "queued, complete ou error"),
            _hl7(kind, "created", "date", "Date du virement (ge, gt, le, lt, eq)"),
            *_paging(),
        ],
    }


def _notice() -> Json:
    kind = "PaymentNotice"
    return {
        "type": kind,
        "documentation": "L'avis d'un virement exécuté par la banque (paymentStatus paid), "
        "qui désigne sa PaymentReconciliation ; notifié par abonnement au sujet "
        "payment-notified. Les avis du seul prestataire appelant.",
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "no-version",
        "searchParam": [
            _hl7(kind, "created", "date", "Date d'exécution du virement (ge, gt, le, lt, eq)"),
            _hl7(kind, "payment-status", "token", "paid (tous les avis le sont)"),
            *_paging(),
        ],
    }


def _hl7(resource: str, name: str, kind: str, documentation: str) -> Json:
    return {
        "name": name,
        "definition": f"{HL7_PARAMETER}/{resource}-{name}",
        "type": kind,
        "documentation": documentation,
    }


def _paging() -> list[Json]:
    return [
        {"name": "_count", "type": "number", "documentation": "Nombre de réponses par page"},
        {"name": "_page", "type": "string", "documentation": "Page suivante (lien next)"},
    ]
