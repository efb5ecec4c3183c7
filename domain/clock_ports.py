"""The port the payment-promise clock reads through (adapters.sql.payment_clock)."""

from __future__ import annotations

from typing import Protocol

from domain.payment_clock import AcceptedClaim, CashDelay, ClockQuery


class ClaimClockReader(Protocol):
    """Accepted claims and their payments, as the ledger holds them."""

    async def page(self, query: ClockQuery) -> list[AcceptedClaim]:
        """One page of the accepted claims the query selects, oldest first."""
        ...

    async def delays(self, query: ClockQuery, by: str) -> list[CashDelay]:
        """Claim-to-cash of the paid claims the query selects, per payer or per provider."""
        ...
