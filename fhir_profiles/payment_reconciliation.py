"""A transfer as the provider reads it: an R4 PaymentReconciliation (one per transfer, a detail
per claim it pays), and a PaymentNotice once the bank has executed it.

Both carry the transfer's id, its end-to-end id (the credit transfer's EndToEndId): the
provider finds it on its bank statement, and each detail names the Claim and ClaimResponse
it settles. The payer and the provider are named by identifier (logical references).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

from domain.money import Money
from domain.payment_records import PaidClaim, TransferRecord, TransferStatus
from fhir_profiles import systems

Json = dict[str, Any]
CURRENCY: Final = "MAD"
PAYMENT_TYPE: Final = "http://terminology.hl7.org/CodeSystem/payment-type"
PAYMENT_STATUS: Final = "http://terminology.hl7.org/CodeSystem/paymentstatus"
# What a transfer's status says, as the R4 PaymentReconciliation's outcome.
OUTCOMES: Final = {
    TransferStatus.SENT: "queued",  # handed to the bank, not yet on a statement
    TransferStatus.EXECUTED: "complete",
    TransferStatus.REJECTED: "error",
}
DISPOSITIONS: Final = {
    TransferStatus.SENT: "Virement transmis à la banque, en attente d'exécution",
    TransferStatus.EXECUTED: "Virement exécuté par la banque",
}
# ISO 20022 return reasons (ExternalReturnReason1Code) a bank gives for a credit transfer.
RETURN_REASONS: Final = {
    "AC01": "Numéro de compte incorrect",
    "AC03": "Numéro de compte du créancier invalide",
    "AC04": "Compte clôturé",
    "AC06": "Compte bloqué",
    "AG01": "Opération interdite sur ce compte",
    "AM05": "Virement en double",
    "BE04": "Adresse du bénéficiaire manquante",
    "MD07": "Titulaire du compte décédé",
    "MS03": "Motif non précisé par la banque",
    "RC01": "Identifiant de banque (BIC) incorrect",
    "RR04": "Motif réglementaire",
}


def from_domain(transfer: TransferRecord, *, requestor_inpe: str) -> Json:
    """The PaymentReconciliation of a transfer, for the provider (INPE) it pays."""
    return {
        "resourceType": "PaymentReconciliation",
        "id": transfer.id,
        "identifier": [{"system": systems.END_TO_END_ID, "value": transfer.id}],
        "status": "cancelled" if transfer.status is TransferStatus.REJECTED else "active",
        "created": instant(transfer.created),
        "paymentIssuer": payer(transfer.payer),
        "requestor": provider(requestor_inpe),
        "outcome": OUTCOMES[transfer.status],
        "disposition": disposition(transfer),
        "paymentDate": payment_date(transfer).isoformat(),
        "paymentAmount": money(transfer.amount),
        "paymentIdentifier": {"system": systems.END_TO_END_ID, "value": transfer.id},
        **({"detail": [_detail(c) for c in transfer.claims]} if transfer.claims else {}),
    }


def notice(transfer: TransferRecord, *, requestor_inpe: str) -> Json:
    """The PaymentNotice of an executed transfer: paid, on the day the bank executed it."""
    if transfer.status is not TransferStatus.EXECUTED:
        raise ValueError(f"transfer {transfer.id} is {transfer.status}, not executed")
    told: Json = {
        "resourceType": "PaymentNotice",
        "id": transfer.id,
        "identifier": [{"system": systems.END_TO_END_ID, "value": transfer.id}],
        "status": "active",
    }
    if len(transfer.claims) == 1:  # what it pays, when that is one claim
        (claim,) = transfer.claims
        told |= _paid(claim)
    return told | {
        "created": instant(transfer.settled_at or transfer.created),
        "payment": {"reference": f"PaymentReconciliation/{transfer.id}"},
        "paymentDate": payment_date(transfer).isoformat(),
        "payee": provider(requestor_inpe),
        "recipient": provider(requestor_inpe),
        "amount": money(transfer.amount),
        "paymentStatus": {
            "coding": [{"system": PAYMENT_STATUS, "code": "paid", "display": "Paid"}],
            "text": "Payé",
        },
    }


def disposition(transfer: TransferRecord) -> str:
    """How the transfer ended, in French; a rejection with the bank's reason."""
    if transfer.status is not TransferStatus.REJECTED:
        return DISPOSITIONS[transfer.status]
    code = transfer.reason
    if code is None:
        return "Virement rejeté par la banque"
    label = RETURN_REASONS.get(code, "motif bancaire")
    return f"Virement rejeté par la banque : {label} ({code})"


def payment_date(transfer: TransferRecord) -> date:
    """The day the bank executed (or returned) the transfer, else the day it was sent."""
    return (transfer.settled_at or transfer.created).date()


def _detail(claim: PaidClaim) -> Json:
    return {
        "type": {"coding": [{"system": PAYMENT_TYPE, "code": "payment", "display": "Payment"}]},
        **_paid(claim),
        "amount": money(claim.amount),
    }


def _paid(claim: PaidClaim) -> Json:
    """The Claim paid (by id, and by the provider's own number) and the answer accepting it;
    what is not known is left out, never referenced empty."""
    request: Json = {}
    if claim.claim_id:
        request["reference"] = f"Claim/{claim.claim_id}"
    if claim.identifier:
        request["identifier"] = {"value": claim.identifier}
    told: Json = {"request": request} if request else {}
    if claim.response_id:
        told["response"] = {"reference": f"ClaimResponse/{claim.response_id}"}
    return told


def payer(code: str) -> Json:
    """The payer (CNSS, CNOPS) as an Organization known by its payer code."""
    return {"type": "Organization", "identifier": {"system": systems.PAYER_ID, "value": code}}


def provider(inpe: str) -> Json:
    """The provider as an Organization known by its INPE."""
    return {"type": "Organization", "identifier": {"system": systems.INPE, "value": inpe}}


def money(amount: Money) -> Json:
    """A FHIR Money in MAD (a JSON number: whole dirhams as an integer)."""
    centimes = amount.centimes
    value: int | float = centimes // 100 if centimes % 100 == 0 else float(amount.as_decimal())
    return {"value": value, "currency": CURRENCY}


def instant(moment: datetime) -> str:
    """A FHIR dateTime to the second, in UTC when the datetime carries no zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")
