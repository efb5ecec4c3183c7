"""The quick reading of a household: the careful reading's entries, or it gives up."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from adapters.population import write_population
from adapters.registry_files import read_objects
from adapters.registry_format import read_household
from adapters.registry_quick import quick_reader
from domain.errors import InvalidRequest
from domain.records import RegistryEntry
from domain.reference import ReferenceData
from domain.registry import check_household
from tests.unit.registry.builders import TODAY, valid_household

# Values put in every place of a valid household: each breaks some rule somewhere.
ODD_VALUES: tuple[Any, ...] = (
    None, "", "  ", " CNSS ", 0, 32, -1, True, 1.5, [], {}, "x", "ZZZ",
    "2026-02-30", "2026-13", "20260101", "2030-01-01", "1900-01-01", "2026-01", "１２３",
    "CNSS-123456789", "AMO_SALARIES", "ALD12", "child", "insured", "spouse", "female",
)  # fmt: skip


def careful(value: Any, ref: ReferenceData) -> list[RegistryEntry] | None:
    """The careful reading's entries, or None where it refuses the household."""
    try:
        return check_household(read_household(value, line=1), ref, line=1, today=TODAY)
    except InvalidRequest:
        return None


def places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside a JSON value."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, (*path, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from places(item, (*path, position))


def replaced(household: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of the household with the value at that path replaced (the root: the value)."""
    if not path:
        return value
    changed = copy.deepcopy(household)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return changed


def spoiled(household: dict[str, Any]) -> Iterator[Any]:
    """The household with one value replaced, one field removed or an unknown one added."""
    for path in places(household):
        for value in ODD_VALUES:
            yield replaced(household, path, value)
        if path and isinstance(path[-1], str):
            without = replaced(household, path, None)
            parent = without
            for step in path[:-1]:
                parent = parent[step]
            del parent[path[-1]]
            yield without
    for path in places(household):
        target = household
        for step in path:
            target = target[step]
        if isinstance(target, dict):
            yield replaced(household, path, {**copy.deepcopy(target), "surprise": 1})


class TestQuickReader:
    def test_a_valid_household_reads_as_carefully(self, ref: ReferenceData) -> None:
        quick = quick_reader(ref, TODAY)
        household = valid_household()
        entries = quick(household)
        assert entries is not None
        assert entries == careful(household, ref)

    def test_a_spoiled_household_reads_as_carefully_or_not_at_all(self, ref: ReferenceData) -> None:
        quick = quick_reader(ref, TODAY)
        read, refused = 0, 0
        for household in spoiled(valid_household()):
            entries = quick(household)
            if entries is None:
                refused += 1
            else:
                read += 1
                assert entries == careful(household, ref), household
        assert read and refused  # both ways were taken

    def test_whatever_the_careful_reading_refuses_the_quick_one_refuses(
        self, ref: ReferenceData
    ) -> None:
        quick = quick_reader(ref, TODAY)
        for household in spoiled(valid_household()):
            if careful(household, ref) is None:
                assert quick(household) is None, household

    def test_a_generated_population_reads_quickly_and_as_carefully(
        self, ref: ReferenceData, tmp_path: Path
    ) -> None:
        path = tmp_path / "population.jsonl"
        write_population(path, seed=3, people=400, today=TODAY)
        quick = quick_reader(ref, TODAY)
        for _line, household in read_objects(path):
            entries = quick(household)
            assert entries is not None
            assert entries == careful(household, ref)

    def test_a_birth_after_the_day_is_left_to_the_careful_reading(self, ref: ReferenceData) -> None:
        household = valid_household()
        household["members"][0]["birth_date"] = "2026-03-03"
        assert quick_reader(ref, TODAY)(household) is None
        assert quick_reader(ref, date(2026, 3, 3))(household) is not None
