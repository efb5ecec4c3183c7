"""A payer's daily change file for the import bench, in the registry format.

A change file is a registry file holding only the households that changed
(docs/registry-format.md): each line replaces its members. Here the lines of a generated
population are changed in turn: an insured's affiliation ended yesterday (the job lost), an
ALD granted a week ago, a death three days ago (the last member of the household: an
insured's rights end, a dependant's link ends), and new households from another population.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from adapters.population import write_population

NEW_ALD = "ALD12"  # a condition of refdata/ald.csv
KINDS = ("ended", "ald", "death", "new")


def write_changes(
    population: Path, out: Path, *, lines: int, today: date
) -> tuple[int, int, list[str]]:
    """Write up to `lines` changed households; (lines, people, IDCS of ended insureds)."""
    newcomers = out.with_suffix(".new.jsonl")
    write_population(newcomers, seed=99, people=lines, today=today)
    written, people, ended = 0, 0, []
    with out.open("wb") as sink:
        for kind, household in _changed(population, newcomers, lines, today):
            if kind == "ended":
                ended.append(_insured(household)["identifiers"].get("idcs"))
            sink.write(orjson.dumps(household, option=orjson.OPT_APPEND_NEWLINE))
            written += 1
            people += len(household["members"])
    newcomers.unlink()
    return written, people, [idcs for idcs in ended if idcs]


def _changed(
    population: Path, newcomers: Path, lines: int, today: date
) -> Iterator[tuple[str, dict[str, Any]]]:
    with population.open("rb") as known, newcomers.open("rb") as new:
        for number in range(lines):
            kind = KINDS[number % len(KINDS)]
            raw = (new if kind == "new" else known).readline()
            if not raw:
                return
            household = orjson.loads(raw)
            _CHANGES[kind](household, today)
            yield kind, household


def _ended(household: dict[str, Any], today: date) -> None:
    for affiliation in _insured(household)["affiliations"]:
        affiliation["end"] = affiliation["end"] or _after(affiliation, today - timedelta(days=1))


def _ald(household: dict[str, Any], today: date) -> None:
    start = (today - timedelta(days=7)).isoformat()
    _insured(household)["ald"].append({"condition": NEW_ALD, "start": start, "end": None})


def _death(household: dict[str, Any], today: date) -> None:
    for affiliation in household["members"][-1]["affiliations"]:
        affiliation["end"] = affiliation["end"] or _after(affiliation, today - timedelta(days=3))


def _insured(household: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in household["members"] if m["role"] == "insured")


def _after(affiliation: dict[str, Any], day: date) -> str:
    """The day, or the affiliation's start if it starts later (an end never precedes it)."""
    return max(day.isoformat(), affiliation["start"])


def _new(household: dict[str, Any], today: date) -> None:
    """Newcomers are stored as generated."""


_CHANGES = {"ended": _ended, "ald": _ald, "death": _death, "new": _new}
