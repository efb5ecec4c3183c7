"""Payer registry files on disk: JSON Lines, one household object per line.

Reading streams the file: a million-person registry never sits in memory as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import orjson

from adapters.registry_format import read_household, read_households
from adapters.registry_quick import quick_reader
from domain.errors import InvalidRequest
from domain.records import RegistryEntry
from domain.reference import ReferenceData
from domain.registry import DeclaredHousehold, check_household

_BOM = b"\xef\xbb\xbf"  # some export tools start UTF-8 files with one


def read_registry(path: Path) -> Iterator[tuple[int, DeclaredHousehold]]:
    """Each household of a registry file with its line number (1-based); blank lines skipped."""
    return read_households(read_objects(path))


def read_entries(
    path: Path, ref: ReferenceData, today: date
) -> Iterator[tuple[int, list[RegistryEntry]]]:
    """Each household of a registry file checked against the rules, as registry entries.

    The quick reading takes the valid lines; any other is read carefully, which stores it
    the same or stops the import with the line and the field (adapters/registry_quick.py).
    """
    quick = quick_reader(ref, today)
    for line, value in read_objects(path):
        entries = quick(value)
        if entries is None:
            entries = check_household(read_household(value, line=line), ref, line=line, today=today)
        yield line, entries


def read_objects(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """Each line's JSON object with its line number (1-based); blank lines skipped."""
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            text = raw.removeprefix(_BOM) if number == 1 else raw
            if text.strip():
                yield number, household_object(text, number)


def household_object(raw: bytes, number: int) -> dict[str, object]:
    """One line's JSON object; the message never quotes the line: it is patient data."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InvalidRequest(
            f"ligne {number} : JSON invalide (colonne {error.colno})", code="json-invalide"
        ) from None
    if not isinstance(value, dict):
        raise InvalidRequest(f"ligne {number} : objet JSON attendu (un foyer par ligne)")
    return value


def count_lines(path: Path) -> int:
    """How many households a registry file holds (its non-blank lines), for a progress bar."""
    with path.open("rb") as lines:
        return sum(1 for raw in lines if raw.strip())
