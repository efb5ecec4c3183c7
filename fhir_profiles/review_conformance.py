"""What the prior-authorization exchange publishes of its operations: the payer's reviewers'
work list (`$queue`) and decisions (`$decide`), as OperationDefinitions and in the
CapabilityStatement's Claim and ClaimResponse entries."""

from __future__ import annotations

from typing import Any, Final

from fhir_profiles import publication, systems
from fhir_profiles.publication import operation_parameter as parameter

Json = dict[str, Any]
OD_QUEUE: Final = f"{systems.BASE}/OperationDefinition/ClaimResponse-queue"
OD_DECIDE: Final = f"{systems.BASE}/OperationDefinition/ClaimResponse-decide"


def operations() -> list[Json]:
    """The OperationDefinitions of the reviewers' operations."""
    return [_queue(), _decide()]


def claim_response_operations() -> list[Json]:
    """The ClaimResponse entry's operations in the CapabilityStatement."""
    return [
        {
            "name": "queue",
            "definition": OD_QUEUE,
            "documentation": "Contrôle médical d'un payeur : ses demandes en attente, l'échéance "
            "la plus proche d'abord (overdue=true : celles dont l'échéance est passée).",
        },
        {
            "name": "decide",
            "definition": OD_DECIDE,
            "documentation": "Contrôle médical d'un payeur : accorde, accorde en partie ou "
            "refuse une demande, avec un motif codé ; le prestataire en est notifié.",
        },
    ]


def _queue() -> Json:
    od = publication.header(
        "OperationDefinition", "ClaimResponse-queue", OD_QUEUE,
        "ClaimResponseQueue", "File du contrôle médical",
    )  # fmt: skip
    return od | {
        "kind": "operation",
        "description": "Les demandes de prise en charge en attente adressées au payeur du "
        "client (jamais celles d'un autre), l'échéance la plus proche d'abord ; chaque "
        "ClaimResponse (search.mode match) est suivie de la Claim qu'elle examine (include).",
        "affectsState": False,
        "code": "queue",
        "resource": ["ClaimResponse"],
        "system": False,
        "type": True,
        "instance": False,
        "parameter": [
            parameter("overdue", "in", 0, "boolean", "Seulement celles en retard."),
            parameter("_count", "in", 0, "integer", "Taille de page (1 à 100)."),
            parameter("_offset", "in", 0, "integer", "Entrées sautées."),
            parameter("return", "out", 1, "Bundle", "Bundle searchset."),
        ],
    }


def _decide() -> Json:
    od = publication.header(
        "OperationDefinition", "ClaimResponse-decide", OD_DECIDE,
        "ClaimResponseDecide", "Décision du contrôle médical",
    )  # fmt: skip
    return od | {
        "kind": "operation",
        "description": "Accorde (grant), accorde en partie (partial : une partie item par "
        "ligne accordée, avec sequence, quantity et amount) ou refuse (refuse) une demande "
        "en attente, avec un motif du CodeSystem reason ; répond par la ClaimResponse telle "
        "qu'elle est désormais. Une demande déjà décidée répond 409.",
        "affectsState": True,
        "code": "decide",
        "resource": ["ClaimResponse"],
        "system": False,
        "type": False,
        "instance": True,
        "parameter": [
            parameter("decision", "in", 1, "code", "grant | partial | refuse"),
            parameter("reason", "in", 1, "Coding", f"Motif ({systems.CS_REASON})."),
            parameter("validUntil", "in", 0, "date", "Dernier jour de validité."),
            {
                "name": "item",
                "use": "in",
                "min": 0,
                "max": "*",
                "documentation": "Une ligne accordée (accord partiel).",
                "part": [
                    parameter("sequence", "in", 1, "positiveInt", "Ligne de la Claim."),
                    parameter("quantity", "in", 1, "unsignedInt", "Quantité accordée."),
                    parameter("amount", "in", 1, "Money", "Montant accordé (MAD)."),
                ],
            },
            parameter("return", "out", 1, "ClaimResponse", "La ClaimResponse à jour."),
        ],
    }
