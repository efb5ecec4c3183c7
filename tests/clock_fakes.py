"""A fake of the payment-promise clock's port, over a FakeStore's ledger."""

from __future__ import annotations

from domain.ledger import EntryKind
from domain.payment_clock import AcceptedClaim, CashDelay, ClaimToCash, ClockQuery, clock
from tests.pipeline_fakes import FakeStore


class FakeClaimClock:
    """domain.clock_ports.ClaimClockReader over a FakeStore's ledger, in memory."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def _accepted(self, query: ClockQuery) -> list[AcceptedClaim]:
        ledger = self._store.ledger
        undone = {e.id for e in ledger if e.kind is EntryKind.REVERSAL}
        found = []
        for entry in ledger:
            if entry.kind is not EntryKind.CLAIM or f"reversal:{entry.id}" in undone:
                continue
            credit = next(p for p in entry.postings if p.amount.centimes < 0)
            payer, provider = credit.account.removeprefix("payable:").split(":", 1)
            pay = next((e for e in ledger if e.kind is EntryKind.PAYMENT
                        and entry.source in e.source.split()), None)  # fmt: skip
            found.append(AcceptedClaim(
                entry.source, payer, provider, -credit.amount, entry.at, entry.due,
                None if pay is None else pay.at, None if pay is None else pay.id,
            ))  # fmt: skip
        return sorted(
            (c for c in found if self._selects(query, c)),
            key=lambda c: (c.accepted_at, f"claim:{c.source}"),
        )

    @staticmethod
    def _selects(query: ClockQuery, claim: AcceptedClaim) -> bool:
        if query.provider not in (None, claim.provider) or query.payer not in (None, claim.payer):
            return False
        if query.after is not None and (claim.accepted_at, f"claim:{claim.source}") <= query.after:
            return False
        if query.accepted_from is not None and claim.accepted_at < query.accepted_from:
            return False
        if query.accepted_to is not None and claim.accepted_at >= query.accepted_to:
            return False
        return not query.states or clock(claim, query.today).state in query.states

    async def page(self, query: ClockQuery) -> list[AcceptedClaim]:
        """One page of accepted claims, oldest first."""
        return self._accepted(query)[: query.limit]

    async def delays(self, query: ClockQuery, by: str) -> list[CashDelay]:
        """Claim-to-cash per payer or provider."""
        delays = ClaimToCash()
        for claim in self._accepted(query):
            if claim.paid_at is not None:
                delays.add(getattr(claim, by), claim.accepted_at, claim.paid_at, claim.amount)
        return delays.summary()
