"""Use case: import a payer's registry file, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from domain.members import IdentifierKind, PersonIdentifier
from domain.ports import CacheInvalidation
from domain.records import StoredEntry
from domain.reference import ReferenceData
from domain.registry import DeclaredHousehold, check_household
from domain.uow_ports import MemberRepository, UnitOfWork

PROGRESS_EVERY = 500  # households per stored batch and between two progress reports
# Identifiers an import names to the shared cache one by one, at most (about 150 MB held):
# a daily change file stays well under; past it (a full registry) the gateways stop using
# the earlier cached decisions when they read the registry's new version, within seconds.
STALE_AT_MOST = 1_000_000


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import stored: households read, members saved, of which replaced."""

    households: int
    members: int
    replaced: int  # members that were already stored and got the file's version
    # Whether the shared cache forgot the changed people at once; if not, the gateways stop
    # using their cached decisions when they read the registry's new version (seconds).
    cache_invalidated: bool = True
    # Whether too many people changed to name each to the cache (then it is not told).
    too_many_to_name: bool = False


@dataclass(slots=True)
class _Tally:
    """Running counts, and every identifier whose cached decisions the import makes stale."""

    households: int = 0
    members: int = 0
    replaced: int = 0
    stale_at_most: int = STALE_AT_MOST
    # As (kind, value) pairs: tuples of strings hash in C, a dataclass's hash in Python, and
    # a full file names a million identifiers before giving up.
    stale: set[tuple[str, str]] | None = field(default_factory=set)

    def stored(
        self, batch: list[StoredEntry], old: dict[str, tuple[PersonIdentifier, ...]]
    ) -> None:
        """Count a stored batch; its members' old and new identifiers become stale."""
        self.members += len(batch)
        self.replaced += len(old)
        if self.stale is None:
            return
        for entry in batch:
            self.stale.update(entry.pairs)
        for identifiers in old.values():
            self.stale.update((i.kind.value, i.value) for i in identifiers)
        if len(self.stale) > self.stale_at_most:
            self.stale = None  # the new registry version tells the gateways instead

    def stale_identifiers(self) -> Iterator[PersonIdentifier]:
        """The identifiers to name to the shared cache (none if too many), made as the cache
        reads them: distinct already, and a cache with nothing to forget reads none."""
        kinds = {kind.value: kind for kind in IdentifierKind}  # an Enum call costs, per pair
        return (PersonIdentifier(kinds[kind], value) for kind, value in self.stale or ())

    def report(self, invalidated: bool) -> ImportReport:
        """The counts as the use case answers them."""
        many = self.stale is None
        return ImportReport(self.households, self.members, self.replaced, invalidated, many)


@dataclass(slots=True)
class _Batch:
    """Entries stored together: each member once (a later line of the same member waits)."""

    entries: list[StoredEntry] = field(default_factory=list)
    member_ids: set[str] = field(default_factory=set)

    def holds_any(self, entries: Sequence[StoredEntry]) -> bool:
        """Whether one of these members is already in the batch."""
        return any(entry.member_id in self.member_ids for entry in entries)

    def add(self, entries: Sequence[StoredEntry]) -> None:
        """Add a household's entries."""
        self.entries.extend(entries)
        self.member_ids.update(entry.member_id for entry in entries)


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
    checked = ((line, check_household(h, ref, line=line, today=today)) for line, h in households)
    return store_registry(checked, uow=uow, cache=cache, progress=progress)


def store_registry(
    households: Iterable[tuple[int, Sequence[StoredEntry]]],
    *,
    uow: UnitOfWork,
    cache: CacheInvalidation,
    progress: Callable[[int], None] | None = None,
    stale_at_most: int = STALE_AT_MOST,
) -> ImportReport:
    """Store the checked entries of every (line, household) in one transaction, or none: read
    in process, or already sealed for storage by worker processes (the same rows either way)."""
    tally, batch = _Tally(stale_at_most=stale_at_most), _Batch()
    with uow:
        for _line, entries in households:
            if batch.holds_any(entries):
                batch = _store(uow.members, batch, tally)
            batch.add(entries)
            tally.households += 1
            if tally.households % PROGRESS_EVERY == 0:
                batch = _store(uow.members, batch, tally)
                if progress is not None:
                    progress(tally.households)
        _store(uow.members, batch, tally)
        # In the same transaction: cached decisions of earlier versions stop being used as
        # soon as the gateways see this one, even if the invalidation below cannot reach
        # the shared cache.
        uow.members.advance_version()
        uow.commit()
    # After the commit only: invalidating earlier would let a concurrent check cache the old
    # record again before the new one is visible.
    invalidated = tally.stale is not None and cache.invalidate(tally.stale_identifiers())
    if progress is not None and (tally.households % PROGRESS_EVERY or not tally.households):
        progress(tally.households)  # the end, unless the loop just reported it
    return tally.report(invalidated)


def _store(members: MemberRepository, batch: _Batch, tally: _Tally) -> _Batch:
    """Save a batch, noting old and new identifiers as stale; the next, empty batch."""
    if batch.entries:
        tally.stored(batch.entries, members.save_all(batch.entries))
    return _Batch()
