"""Payments as another party reports them: a PaymentReconciliation or a PaymentNotice from a
payer or a clearing house, read into the few facts the gateway compares with its own transfers
(how much, on which day, for which claims)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.money import Money


@dataclass(frozen=True, slots=True)
class ReportedDetail:
    """One line of a reported reconciliation: what it settles, and how much (an advance or a
    recovery is negative)."""

    amount: Money
    request: str | None = None  # the claim, as written: a reference or "system|value"
    response: str | None = None  # the claim response, likewise


@dataclass(frozen=True, slots=True)
class ReportedReconciliation:
    """A PaymentReconciliation received: one payment and the lines it settles."""

    id: str | None
    status: str
    payment_date: date
    amount: Money
    outcome: str | None = None
    payment_identifier: str | None = None  # "system|value", as the payer numbers the payment
    disposition: str | None = None
    details: tuple[ReportedDetail, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportedNotice:
    """A PaymentNotice received: a payment made (or cleared), and the reconciliation it is."""

    id: str | None
    status: str
    amount: Money
    payment: str  # the PaymentReconciliation, as written: a reference or "system|value"
    payment_date: date | None = None
    payment_status: str | None = None  # paid or cleared (HL7 paymentstatus)
    request: str | None = None
    response: str | None = None
