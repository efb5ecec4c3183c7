"""A claim cancelled, or corrected by a new one: its benefit reversed in the ledger and the
prise en charge units it used given back, in one write, once.

- Cancel (a Task `cancel` on a billed claim): the reversal entry and the prises en charge
  given back are recorded together, the latter by compare-and-set (a prise en charge changed
  meanwhile: read again and done again, a few times at most). The reversal's id is derived
  from the claim's entry, so a retried or concurrent cancel acts once.
- Correction: a new claim citing (`Claim.related`) one of the provider's claims made payable,
  neither settled nor already reversed. The old claim's entry is reversed and its units given
  back in the write that records the new claim, which is decided as if the old one had never
  used them. The old claim is named by its business identifier or by its Claim's id; another
  provider's is as unknown as one never billed.
- Where a claim stands: as decided (payable, not-payable), until it is reversed: then
  `cancelled`, or `corrected` when the reversal came with a correction (the correction's
  exchange is recorded at the instant of the reversal, and names the old claim).
- A claim already settled is neither cancelled nor corrected (ledger.AlreadySettled).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain import ledger
from domain.claims import ClaimRequest, ClaimUse, CorrectedClaimUnknown, StoredClaim
from domain.errors import InvalidRequest, StaleState
from domain.prior_auth import PriorAuthorization, give_back_claim
from domain.records import (
    AuditEntry,
    AuthorizationChange,
    Effects,
    ExchangeQuery,
    ExchangeRecord,
    Recording,
    Requester,
    StoredAuthorization,
)
from domain.services import exchanges
from domain.services.claim_ports import CLAIM, ClaimPorts, authorization_change, source
from domain.services.exchanges import DECISIONS_AT_MOST

# A Claim named by its literal reference ("Claim/abc", absolute or relative), not by the
# provider's business identifier.
_LITERAL = re.compile(r"(?:.*/)?Claim/([A-Za-z0-9\-.]{1,64})")
_INSTANT = timedelta(microseconds=1)


class Cancelled(StrEnum):
    """What cancelling a claim did."""

    REVERSED = "reversed"  # its benefit is no longer payable
    ALREADY = "already"  # it was cancelled (or corrected) before: a retried Task acts once
    NOTHING = "nothing"  # nothing of it was payable: nothing to undo


@dataclass(frozen=True, slots=True)
class Corrected:
    """The claim a correction replaces, as found when the correction was decided."""

    claim_id: str  # its business identifier
    request_id: str | None  # its Claim's id, when its exchange was found
    accepted: ledger.Entry  # its entry, reversed with the correction
    pa_references: frozenset[str]  # the prises en charge it cites

    def reversal(self, at: datetime) -> ledger.Entry:
        """Its entry undone, at the instant the correction is recorded."""
        return ledger.reversal(self.accepted, at=at)


async def corrected(
    requester: Requester, request: ClaimRequest, ports: ClaimPorts
) -> Corrected | None:
    """The claim a claim corrects (None: it corrects none); refused when that claim is
    unknown, is this one, is already reversed or settled."""
    if request.use is not ClaimUse.CLAIM or request.related_claim is None:
        return None
    record, claim_id = await _named(requester, request.related_claim, ports)
    if claim_id == request.claim_id:
        raise InvalidRequest(
            f"La demande {claim_id[:64]} ne peut se corriger elle-même : une correction porte "
            "son propre identifiant",
            code="correction-meme-identifiant",
            expression="Claim.related",
        )
    entries = await ports.ledger.by_source(source(requester, claim_id))
    if any(entry.kind is ledger.EntryKind.REVERSAL for entry in entries):
        raise ledger.AlreadyReversed(
            f"La demande {claim_id[:64]} est déjà annulée ou corrigée", expression="Claim.related"
        )
    accepted = next((e for e in entries if e.kind is ledger.EntryKind.CLAIM), None)
    if accepted is None:
        raise CorrectedClaimUnknown(
            f"Aucune demande {claim_id[:64]} de ce prestataire n'a été rendue payable : une "
            "demande dont rien n'était dû se dépose à nouveau, sans Claim.related",
            expression="Claim.related",
        )
    # AlreadySettled: refused now (the entry built is thrown away, whatever its instant)
    ledger.reversal(accepted, at=accepted.at, settled=entries)  # pragma: no mutate
    record = record or await _recorded_with(requester, accepted, claim_id, ports)
    cited = frozenset() if record is None else ports.stored(record.request_body).pa_references
    return Corrected(claim_id, None if record is None else record.request_id, accepted, cited)


def given_back(
    found: dict[str, StoredAuthorization], corrects: Corrected | None
) -> dict[str, PriorAuthorization]:
    """The prises en charge found, as they stand once the corrected claim gave back what it
    used (as found: it corrects none)."""
    return {
        ref: stored.authorization
        if corrects is None
        else give_back_claim(stored.authorization, corrects.claim_id)
        for ref, stored in found.items()
    }


async def cancel_claim(requester: Requester, request_id: str, *, ports: ClaimPorts) -> Cancelled:
    """Withdraw a claim of the requester's before it is settled: its benefit reversed in the
    ledger and the units it used given back, once. A settled one is refused (AlreadySettled);
    another's is not found."""
    record = await exchanges.read(CLAIM, requester, request_id, by_request=True,
                                  ports=ports.exchange)  # fmt: skip
    claim = ports.stored(record.request_body)
    attempt = 0
    while True:
        attempt += 1
        entries = await ports.ledger.by_source(source(requester, claim.claim_id))
        if any(entry.kind is ledger.EntryKind.REVERSAL for entry in entries):
            return Cancelled.ALREADY
        accepted = next((e for e in entries if e.kind is ledger.EntryKind.CLAIM), None)
        if accepted is None:
            return Cancelled.NOTHING
        now = ports.exchange.clock.now()
        undone = ledger.reversal(accepted, at=now, settled=entries)
        changes = await _giving_back(requester, claim, now, ports)
        audit = AuditEntry(now, CLAIM.action("cancel"), 200, requester.tenant,
                           requester.client_id, f"Claim/{request_id}")  # fmt: skip
        effects = Effects(changes=changes, entries=(undone,))
        try:
            await ports.exchange.recorder.record(Recording(None, audit, effects=effects))
        except StaleState:  # a prise en charge changed meanwhile: read again
            if attempt == DECISIONS_AT_MOST:
                raise
            continue
        except ledger.AlreadyRecorded:  # a concurrent cancel (or correction) got there first
            return Cancelled.ALREADY
        return Cancelled.REVERSED


async def claim_state(requester: Requester, record: ExchangeRecord, *, ports: ClaimPorts) -> str:
    """Where a claim of the requester's stands: as decided, until reversed; then cancelled,
    or corrected."""
    claim = ports.stored(record.request_body)
    entries = await ports.ledger.by_source(source(requester, claim.claim_id))
    undone = next((e for e in entries if e.kind is ledger.EntryKind.REVERSAL), None)
    if undone is None:
        return record.status
    at_once, _ = await ports.exchange.store.search(_at(requester, undone.at))
    names = (claim.claim_id, record.request_id)
    corrections = (ports.stored(r.request_body).related_claim for r in at_once)
    return "corrected" if any(_names(related, *names) for related in corrections) else "cancelled"


async def _giving_back(
    requester: Requester, claim: StoredClaim, at: datetime, ports: ClaimPorts
) -> tuple[AuthorizationChange, ...]:
    """The provider's prises en charge the claim cites, each giving back what it used."""
    changes = []
    for reference in sorted(claim.pa_references):
        stored = await ports.authorizations.get(reference)
        if stored is None or stored.authorization.tenant != requester.tenant:
            continue
        pa = give_back_claim(stored.authorization, claim.claim_id)
        if pa != stored.authorization:
            changes.append(authorization_change(
                pa, stored, requester=requester, at=at, verb="give-back-authorization",
                ports=ports,
            ))  # fmt: skip
    return tuple(changes)


async def _named(
    requester: Requester, named: str, ports: ClaimPorts
) -> tuple[ExchangeRecord | None, str]:
    """The claim a correction names: by its Claim's id (its exchange, and the business
    identifier it carries), else by business identifier."""
    literal = _LITERAL.fullmatch(named)
    if literal is not None:
        record = await ports.exchange.store.get_by_request(requester.tenant, CLAIM.kind,
                                                           literal[1])  # fmt: skip
        if record is not None:
            return record, ports.stored(record.request_body).claim_id
    return None, named


async def _recorded_with(
    requester: Requester, accepted: ledger.Entry, claim_id: str, ports: ClaimPorts
) -> ExchangeRecord | None:
    """A claim's exchange, found by its entry: both are recorded at the same instant."""
    found, _ = await ports.exchange.store.search(_at(requester, accepted.at))
    return next((r for r in found if ports.stored(r.request_body).claim_id == claim_id), None)


def _at(requester: Requester, at: datetime) -> ExchangeQuery:
    """The requester's claims recorded at one instant."""
    return ExchangeQuery(requester.tenant, CLAIM.kind, created_from=at, created_to=at + _INSTANT)


def _names(related: str | None, claim_id: str, request_id: str) -> bool:
    """Whether a correction's Claim.related names this claim (business id, or Claim id)."""
    if related is None:
        return False
    literal = _LITERAL.fullmatch(related)
    return related == claim_id or (literal is not None and literal[1] == request_id)
