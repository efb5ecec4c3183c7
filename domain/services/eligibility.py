"""Eligibility use cases: check a person's rights on a date of care; record the exchange."""

from __future__ import annotations

from collections.abc import Sequence

from domain.eligibility import (
    CheckEligibility,
    EligibilityDecision,
    EligibilityOutcome,
    EligibilityStatus,
)
from domain.errors import InvalidRequest
from domain.members import EligibilityFacts
from domain.ports import AuditEntry, DecisionCache, ExchangeRecord, Recording, UnitOfWork
from domain.reference import ReferenceData
from domain.rules.coverage import decide_items
from domain.rules.eligibility import decide_eligibility


def check_eligibility(
    cmd: CheckEligibility,
    *,
    uow: UnitOfWork,
    cache: DecisionCache,
    ref: ReferenceData,
    look_in_cache: bool = True,
) -> EligibilityOutcome:
    """The decision for the command's person and date, from the cache or the registry.

    look_in_cache=False: the caller has just read the cache and missed.
    """
    cached = answer_from_cache(cmd, cache=cache, ref=ref) if look_in_cache else None
    if cached is not None:
        return cached
    if not cmd.identifiers:
        raise InvalidRequest("Aucun identifiant de patient dans la demande")
    key = cmd.identifiers[0]
    decision = decide_eligibility(_records(cmd, uow), cmd.date_of_care, ref)
    # A person not found may be registered any minute: only found people are cached.
    if decision.status is not EligibilityStatus.NOT_FOUND:
        cache.put(key, decision)
    return _outcome(decision, cmd, ref, from_cache=False)


def answer_from_cache(
    cmd: CheckEligibility, *, cache: DecisionCache, ref: ReferenceData
) -> EligibilityOutcome | None:
    """The outcome from a cached decision, or None when the cache has none."""
    if not cmd.identifiers:
        raise InvalidRequest("Aucun identifiant de patient dans la demande")
    cached = cache.get(cmd.identifiers[0], cmd.date_of_care, ref.version)
    return None if cached is None else answer_from_decision(cached, cmd, ref)


def answer_from_decision(
    decision: EligibilityDecision, cmd: CheckEligibility, ref: ReferenceData
) -> EligibilityOutcome:
    """The outcome of a decision read from a cache: the items are decided afresh."""
    return _outcome(decision, cmd, ref, from_cache=True)


def _records(cmd: CheckEligibility, uow: UnitOfWork) -> list[EligibilityFacts]:
    """The records of the first identifier that finds any (read only: nothing committed)."""
    with uow:
        for identifier in cmd.identifiers:
            found = uow.members.find(identifier)
            if found:
                return found
    return []


def _outcome(
    decision: EligibilityDecision, cmd: CheckEligibility, ref: ReferenceData, *, from_cache: bool
) -> EligibilityOutcome:
    items = decide_items(decision, cmd.items, ref) if cmd.items else ()
    return EligibilityOutcome(decision=decision, items=items, from_cache=from_cache)


def record_exchange(record: ExchangeRecord, audit: AuditEntry, *, uow: UnitOfWork) -> None:
    """Store an exchange and its audit entry in one transaction."""
    record_exchanges([Recording(record, audit)], uow=uow)


def record_exchanges(recordings: Sequence[Recording], *, uow: UnitOfWork) -> list[bool]:
    """Store several exchanges in one transaction: all or none.

    Returns, per recording, whether it was stored: False when its Idempotency-Key was taken
    meanwhile by a concurrent retry, in which case nothing of it is stored (it did not act).
    """
    with uow:
        stored = [r.answer is None or uow.idempotency.claim(r.answer) for r in recordings]
        kept = [r for r, ok in zip(recordings, stored, strict=True) if ok]
        uow.exchanges.add_many([r.record for r in kept if r.record is not None])
        uow.audit.append_many([r.audit for r in kept])
        uow.commit()
    return stored
