"""A synthetic payer registry: realistic Moroccan households in the registry file format.

The same seed and day always give the same population, byte for byte: one `random.Random`
drives every draw, and every date is drawn relative to `today`. Besides ordinary households
the population holds, several times over for any size from a thousand people, every case the
eligibility rules distinguish (see `EDGE_CASES`), so that demos and load tests meet them all.
Dates are realistic when `today` is 2025 or later (the TNS, Tadamon and Achamil schemes are
recent). The names and identifiers come from `population_names`, the households from
`population_households`; this module plans the households and writes the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import orjson

from adapters.population_households import SCHEMES, Person, Plan, households
from adapters.population_names import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES, Factory

__all__ = [
    "EDGE_CASES",
    "EDGE_EVERY",
    "FAMILY_NAMES",
    "FEMALE_NAMES",
    "MALE_NAMES",
    "SCHEMES",
    "Household",
    "Person",
    "generate_population",
    "personas",
    "write_population",
]

Household = dict[str, object]

_SCHEME_WEIGHTS = {scheme: weight for scheme, (_, weight, _, _) in SCHEMES.items()}
_SIZE_WEIGHTS = {1: 18, 2: 14, 3: 17, 4: 19, 5: 16, 6: 10, 7: 6}
_STANDING_WEIGHTS = {
    "AMO_SALARIES": {"open": 90, "waiting": 4, "transferred": 2, "maintained": 3, "lapsed": 1},
    "AMO_TNS": {"open": 78, "suspended": 12, "settled": 5, "tns-waiting": 5},
}
EDGE_EVERY = 3  # one household in three shows an edge case, in turn

# The cases every population holds: persona kind -> (scheme, standing, shape).
EDGE_CASES: dict[str, tuple[str, str, str]] = {
    "polygamous": ("AMO_SALARIES", "open", "polygamous"),
    "student": ("AMO_SALARIES", "open", "student"),
    "married-student": ("AMO_PUBLIC", "open", "married-student"),
    "over-age-child": ("AMO_TADAMON", "open", "over-age"),
    "disabled-child": ("AMO_PUBLIC", "open", "disabled"),
    "ald": ("AMO_SALARIES", "open", "ald"),
    "waiting-period": ("AMO_SALARIES", "waiting", "plain"),
    "transferred": ("AMO_SALARIES", "transferred", "plain"),
    "suspended": ("AMO_TNS", "suspended", "ald"),
    "tns-waiting": ("AMO_TNS", "tns-waiting", "plain"),
    "tns-settled": ("AMO_TNS", "settled", "plain"),
    "maintained": ("AMO_SALARIES", "maintained", "plain"),
    "lapsed": ("AMO_SALARIES", "lapsed", "plain"),
    "double-affiliation": ("AMO_SALARIES", "open", "double"),
    "open": ("AMO_TADAMON", "open", "plain"),
    "etudiant": ("AMO_ETUDIANTS", "open", "single"),
    "achamil": ("AMO_ACHAMIL", "open", "plain"),
    "child-maintained": ("AMO_SALARIES", "open", "aged-out"),
    "student-maintained": ("AMO_SALARIES", "open", "graduated"),
    "divorced-spouse": ("AMO_SALARIES", "open", "divorced"),
    "employer-arrears": ("AMO_SALARIES", "suspended", "ald"),
    "ald-after-job": ("AMO_SALARIES", "arrears-lost", "ald"),
    "stage-capped": ("AMO_SALARIES", "stage-capped", "plain"),
    "declarations-skipped": ("AMO_SALARIES", "skipped", "plain"),
    "own-cover-first": ("AMO_SALARIES", "open", "own-cover"),
    "dialysis": ("AMO_SALARIES", "open", "dialysis"),
}
_EDGE_KINDS = tuple(EDGE_CASES)
_MIN_SIZE = {"polygamous": 3, "double": 2, "own-cover": 3, "single": 1, "plain": 1, "dialysis": 1}
# others: 2


def _plan(f: Factory, number: int, remaining: int) -> Plan:
    """Household `number`'s plan: an edge case in turn every EDGE_EVERY, else ordinary."""
    size = f.pick(_SIZE_WEIGHTS)
    if number % EDGE_EVERY == 1:
        kind = _EDGE_KINDS[(number // EDGE_EVERY) % len(_EDGE_KINDS)]
        scheme, standing, shape = EDGE_CASES[kind]
        size = 1 if shape == "single" else max(size, _MIN_SIZE.get(shape, 2))
        if size <= remaining:
            return Plan(kind, scheme, standing, shape, size)
    scheme = f.pick(_SCHEME_WEIGHTS)
    standing = f.pick(_STANDING_WEIGHTS[scheme]) if scheme in _STANDING_WEIGHTS else "open"
    shape = "single" if scheme == "AMO_ETUDIANTS" else "plain"
    return Plan("ordinary", scheme, standing, shape, min(size, remaining))


def _population(seed: int, people: int, today: date) -> Iterator[tuple[Household, str, Person]]:
    """Each household, with the case its plan shows and the person showing it."""
    f = Factory(seed, today)
    remaining, plans, number = people, 0, 0
    while remaining > 0:
        plan = _plan(f, plans, remaining)
        plans += 1
        for payer, members, focus in households(f, plan):
            number += 1
            remaining -= len(members)
            household: Household = {"household": f"H{number:08d}", "payer": payer}
            household["members"] = members
            yield household, plan.kind, focus


def generate_population(*, seed: int, people: int, today: date) -> Iterator[Household]:
    """Households in the registry file format; `people` member records in all, deterministic."""
    for household, _, _ in _population(seed, people, today):
        yield household


def write_population(path: Path, *, seed: int, people: int, today: date) -> int:
    """Write a generated registry file (JSON Lines); the number of member records written."""
    written = 0
    with path.open("wb") as out:
        for household in generate_population(seed=seed, people=people, today=today):
            out.write(orjson.dumps(household, option=orjson.OPT_APPEND_NEWLINE))
            written += len(household["members"])  # type: ignore[arg-type]
    return written


def personas(seed: int, people: int, today: date) -> dict[str, tuple[str, str]]:
    """One person per edge case of that population: case -> (identifier kind, value)."""
    found: dict[str, tuple[str, str]] = {}
    for _, kind, focus in _population(seed, people, today):
        if kind in EDGE_CASES and kind not in found:
            found[kind] = ("idcs", focus["identifiers"]["idcs"])  # type: ignore[index]
        if len(found) == len(EDGE_CASES):
            break
    return found
