"""The registry import use case: all or nothing, and stale cached decisions forgotten."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest

from adapters.registry_format import read_households
from domain.eligibility import EligibilityDecision, EligibilityStatus
from domain.errors import InvalidRequest
from domain.members import IdentifierKind, PersonIdentifier
from domain.reference import ReferenceData
from domain.registry import DeclaredHousehold, check_household
from domain.services.registry import ImportReport, import_registry, store_registry
from tests.fakes import FakeUnitOfWork
from tests.pipeline_fakes import FakeDecisionCache
from tests.unit.registry.builders import TODAY, valid_household

IDCS_OF_INSURED = PersonIdentifier(IdentifierKind.IDCS, "1234567890")
CIN_OF_INSURED = PersonIdentifier(IdentifierKind.CIN, "BK123456")


def other_household() -> dict[str, Any]:
    """A second valid household, sharing nothing with the first."""
    obj = valid_household()
    obj["members"] = [obj["members"][0]]
    insured = obj["members"][0]
    insured["member_id"] = "CNSS-111111111"
    insured["identifiers"] = {"idcs": "1111111111", "cnss": "111111111"}
    return obj


def numbered(*households: Mapping[str, object]) -> Iterator[tuple[int, DeclaredHousehold]]:
    """Households as the file reader gives them: with their line numbers, read as they come."""
    return read_households(enumerate(households, start=1))


def cached(cache: FakeDecisionCache, identifier: PersonIdentifier) -> None:
    """Put a decision in the cache for that identifier."""
    decision = EligibilityDecision(EligibilityStatus.OPEN, date(2026, 3, 2), "v1")
    cache.decisions[identifier, decision.date_of_care, decision.rules_version] = decision


def run(
    uow: FakeUnitOfWork,
    cache: FakeDecisionCache,
    ref: ReferenceData,
    *households: Any,
    progress: Any = None,
) -> ImportReport:
    """Import those households."""
    return import_registry(
        numbered(*households), uow=uow, cache=cache, ref=ref, today=TODAY, progress=progress
    )


class TestImportRegistry:
    def test_every_member_is_stored_in_one_commit(self, ref: ReferenceData) -> None:
        uow = FakeUnitOfWork()
        report = run(uow, FakeDecisionCache(), ref, valid_household(), other_household())
        assert report == ImportReport(households=2, members=3, replaced=0)
        assert uow.members.count() == 3
        assert uow.commits == 1

    def test_an_import_advances_the_registry_version_with_its_commit(
        self, ref: ReferenceData
    ) -> None:
        uow = FakeUnitOfWork()
        run(uow, FakeDecisionCache(), ref, valid_household())
        run(uow, FakeDecisionCache(), ref, other_household())
        assert uow.members.version() == 2

    def test_a_bad_second_household_stores_nothing(self, ref: ReferenceData) -> None:
        uow = FakeUnitOfWork()
        bad = other_household()
        bad["members"][0]["birth_date"] = "1980-02-30"
        with pytest.raises(InvalidRequest, match="ligne 2, members"):
            run(uow, FakeDecisionCache(), ref, valid_household(), bad)
        assert uow.members.count() == 0
        assert uow.commits == 0
        assert uow.members.version() == 0  # rolled back with the rest

    def test_a_failed_import_keeps_the_stored_members(self, ref: ReferenceData) -> None:
        uow, cache = FakeUnitOfWork(), FakeDecisionCache()
        run(uow, cache, ref, valid_household())
        changed = valid_household()
        changed["members"][0]["sex"] = "male"
        bad = other_household() | {"payer": None}
        with pytest.raises(InvalidRequest):
            run(uow, cache, ref, changed, bad)
        assert uow.members.entries["CNSS-123456789"].sex == "female"

    def test_a_failed_import_keeps_the_cache(self, ref: ReferenceData) -> None:
        uow, cache = FakeUnitOfWork(), FakeDecisionCache()
        run(uow, cache, ref, valid_household())
        cached(cache, IDCS_OF_INSURED)
        with pytest.raises(InvalidRequest):
            run(uow, cache, ref, valid_household(), {"household": "H2"})
        assert (IDCS_OF_INSURED, date(2026, 3, 2), "v1") in cache.decisions

    def test_a_new_file_replaces_a_stored_member(self, ref: ReferenceData) -> None:
        uow, cache = FakeUnitOfWork(), FakeDecisionCache()
        run(uow, cache, ref, valid_household())
        changed = valid_household()
        changed["members"][0]["affiliations"][0]["end"] = "2026-01-31"
        report = run(uow, cache, ref, changed)
        assert report.replaced == 2
        stored = uow.members.entries["CNSS-123456789"].member
        assert stored.affiliations[0].end == date(2026, 1, 31)

    def test_decisions_cached_for_old_and_new_identifiers_are_forgotten(
        self, ref: ReferenceData
    ) -> None:
        uow, cache = FakeUnitOfWork(), FakeDecisionCache()
        run(uow, cache, ref, valid_household())
        new_cin = PersonIdentifier(IdentifierKind.CIN, "BK654321")
        unrelated = PersonIdentifier(IdentifierKind.IDCS, "9999999999")
        for identifier in (CIN_OF_INSURED, new_cin, unrelated):
            cached(cache, identifier)
        changed = valid_household()
        changed["members"][0]["identifiers"]["cin"] = "BK654321"
        run(uow, cache, ref, changed)
        remaining = {key[0] for key in cache.decisions}
        assert remaining == {unrelated}

    def test_a_new_member_forgets_a_cached_not_found(self, ref: ReferenceData) -> None:
        uow, cache = FakeUnitOfWork(), FakeDecisionCache()
        cached(cache, IDCS_OF_INSURED)
        run(uow, cache, ref, valid_household())
        assert cache.decisions == {}

    def test_progress_is_reported_every_500_households_and_at_the_end(
        self, ref: ReferenceData
    ) -> None:
        households = []
        for n in range(1, 1202):
            obj = other_household()
            obj["members"][0]["member_id"] = f"CNSS-{n:09d}"
            obj["members"][0]["identifiers"] = {"cnss": f"{n:09d}"}
            households.append(obj)
        seen: list[int] = []
        run(FakeUnitOfWork(), FakeDecisionCache(), ref, *households, progress=seen.append)
        assert seen == [500, 1000, 1201]

    def test_progress_at_a_round_count_is_reported_once(self, ref: ReferenceData) -> None:
        households = []
        for n in range(1, 501):
            obj = other_household()
            obj["members"][0]["member_id"] = f"CNSS-{n:09d}"
            obj["members"][0]["identifiers"] = {"cnss": f"{n:09d}"}
            households.append(obj)
        seen: list[int] = []
        run(FakeUnitOfWork(), FakeDecisionCache(), ref, *households, progress=seen.append)
        assert seen == [500]

    def test_a_rule_broken_on_a_line_names_that_line(self, ref: ReferenceData) -> None:
        """Well formed, but against the rules of the day: the careful check names the line."""
        bad = other_household()
        bad["members"][0]["affiliations"][0]["scheme"] = "AMO_INCONNU"
        with pytest.raises(InvalidRequest, match=r"^ligne 2, "):
            run(FakeUnitOfWork(), FakeDecisionCache(), ref, valid_household(), bad)

    def test_an_empty_file_reports_zero(self, ref: ReferenceData) -> None:
        seen: list[int] = []
        report = run(FakeUnitOfWork(), FakeDecisionCache(), ref, progress=seen.append)
        assert (report, seen) == (ImportReport(0, 0, 0), [0])


class TestStoreRegistry:
    def test_too_many_changed_people_are_left_to_the_registry_version(
        self, ref: ReferenceData
    ) -> None:
        uow, cache = FakeUnitOfWork(), FakeDecisionCache()
        cached(cache, IDCS_OF_INSURED)
        checked = [
            (line, check_household(household, ref, line=line, today=TODAY))
            for line, household in numbered(valid_household(), other_household())
        ]
        report = store_registry(checked, uow=uow, cache=cache, stale_at_most=4)
        assert (report.too_many_to_name, report.cache_invalidated) == (True, False)
        assert (IDCS_OF_INSURED, date(2026, 3, 2), "v1") in cache.decisions  # not told
        assert uow.members.version() == 1  # what tells the gateways instead
        assert report.members == 3

    def test_as_many_changed_people_as_allowed_are_named(self, ref: ReferenceData) -> None:
        uow, cache = FakeUnitOfWork(), FakeDecisionCache()
        cached(cache, IDCS_OF_INSURED)
        checked = [
            (line, check_household(household, ref, line=line, today=TODAY))
            for line, household in numbered(valid_household(), other_household())
        ]
        named = len({i for _, entries in checked for e in entries for i in e.identifiers})
        report = store_registry(checked, uow=uow, cache=cache, stale_at_most=named)
        assert (report.too_many_to_name, report.cache_invalidated) == (False, True)
        assert cache.decisions == {}

    def test_replaced_members_are_counted_over_every_batch(self, ref: ReferenceData) -> None:
        uow, cache = FakeUnitOfWork(), FakeDecisionCache()
        # Each line holds the same two members: each starts a batch of its own, and the
        # second and third replace what the line before stored.
        report = run(uow, cache, ref, valid_household(), valid_household(), valid_household())
        assert (report.members, report.replaced) == (6, 4)

    def test_a_member_twice_in_a_file_is_stored_twice_in_order(self, ref: ReferenceData) -> None:
        uow, cache = FakeUnitOfWork(), FakeDecisionCache()
        later = valid_household()
        later["members"][0]["sex"] = "male"
        report = run(uow, cache, ref, valid_household(), later)
        assert (report.members, report.replaced) == (4, 2)
        assert uow.members.entries["CNSS-123456789"].sex == "male"
