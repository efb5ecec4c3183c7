"""Use case: import a payer's registry file, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from domain.members import PersonIdentifier
from domain.ports import CacheInvalidation, MemberRepository, UnitOfWork
from domain.records import RegistryEntry
from domain.reference import ReferenceData
from domain.registry import DeclaredHousehold, check_household

PROGRESS_EVERY = 500  # households between two progress reports: often enough for a bar


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import stored: households read, members saved, of which replaced."""

    households: int
    members: int
    replaced: int  # members that were already stored and got the file's version
    # Whether the shared cache forgot the changed people at once; if not, the gateways stop
    # using their cached decisions when they read the registry's new version (seconds).
    cache_invalidated: bool = True


@dataclass(slots=True)
class _Tally:
    """Running counts, and every identifier whose cached decisions the import makes stale."""

    households: int = 0
    members: int = 0
    replaced: int = 0
    stale: set[PersonIdentifier] = field(default_factory=set)

    def report(self) -> ImportReport:
        """The counts as the use case answers them."""
        return ImportReport(self.households, self.members, self.replaced)


def import_registry(
    households: Iterable[tuple[int, DeclaredHousehold]],
    *,
    uow: UnitOfWork,
    cache: CacheInvalidation,
    ref: ReferenceData,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check and store every (line, household) of a registry file in one transaction, or none."""
    tally = _Tally()
    with uow:
        for line, household in households:
            entries = check_household(household, ref, line=line, today=today)
            _save(uow.members, entries, tally)
            if progress is not None and tally.households % PROGRESS_EVERY == 0:
                progress(tally.households)
        # In the same transaction: cached decisions of earlier versions stop being used as
        # soon as the gateways see this one, even if the invalidation below cannot reach
        # the shared cache.
        uow.members.advance_version()
        uow.commit()
    # After the commit only: invalidating earlier would let a concurrent check cache the old
    # record again before the new one is visible.
    invalidated = cache.invalidate(tally.stale)
    if progress is not None and (tally.households % PROGRESS_EVERY or not tally.households):
        progress(tally.households)  # the end, unless the loop just reported it
    return replace(tally.report(), cache_invalidated=invalidated)


def _save(members: MemberRepository, entries: list[RegistryEntry], tally: _Tally) -> None:
    """Save a household's entries, noting old and new identifiers as stale."""
    for entry in entries:
        old = members.identifiers_of(entry.member.member_id)
        members.save(entry)
        tally.stale.update(old, entry.identifiers)
        tally.members += 1
        tally.replaced += bool(old)
    tally.households += 1
