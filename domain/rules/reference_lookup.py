"""Lookups over reference rows, indexed once so that each answer is a dict access.

Rows of one key may follow each other in time (a rate changes on a date); where two rows
of one key overlap, the one that started last wins.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from typing import Protocol, TypeVar

from domain.reference import (
    AldCondition,
    DependantRule,
    IdentifierFormat,
    PriorAuthRule,
    RateRule,
    ReferenceData,
    Scheme,
    Validity,
)

ANY = "*"  # a row that applies to every scheme (or every code)
_KEPT = 8  # datasets whose index is kept: the current one and a few being swapped in


class _Dated(Protocol):
    @property
    def validity(self) -> Validity: ...


R = TypeVar("R", bound=_Dated)
K = TypeVar("K", bound=Hashable)


def _group(rows: Iterable[R], key: Callable[[R], K]) -> dict[K, tuple[R, ...]]:
    """Rows by key, latest start first."""
    groups: dict[K, list[R]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return {k: _latest_first(v) for k, v in groups.items()}


def _latest_first(rows: list[R]) -> tuple[R, ...]:
    return tuple(sorted(rows, key=lambda r: r.validity.valid_from, reverse=True))


def _in_force(rows: tuple[R, ...] | None, day: date) -> R | None:
    """The row of a key in force on the day (the latest started, if several)."""
    for row in rows or ():
        if row.validity.covers(day):
            return row
    return None


class ReferenceIndex:
    """Dict-based lookups over one `ReferenceData`; build once, query many times."""

    def __init__(self, ref: ReferenceData) -> None:
        self._schemes = _group(ref.schemes, lambda r: r.code)
        self._routes = _group(ref.routes, lambda r: r.scheme)
        self._rates = _group(ref.rates, lambda r: (r.scheme, r.category, r.situation))
        self._situations = _situations(ref.rates)
        self._params = _group(ref.params, lambda r: (r.scheme, r.name))
        self._dependants = _group(ref.dependants, lambda r: (r.scheme, r.role))
        self._prior_auth = _group(ref.prior_auth, lambda r: (r.scheme, r.category, r.code))
        self._ald = _group(ref.ald, lambda r: r.code)
        self._formats = _group(ref.identifier_formats, lambda r: r.kind)
        self._compiled: dict[str, re.Pattern[str]] = {}

    def scheme(self, code: str, day: date) -> Scheme | None:
        """The scheme with that code in force on the day."""
        return _in_force(self._schemes.get(code), day)

    def payer_for(self, scheme: str, day: date) -> str | None:
        """The payer of a scheme's care on the date of care."""
        route = _in_force(self._routes.get(scheme), day)
        return route.payer if route else None

    def rate_for(self, scheme: str, category: str, situation: str, day: date) -> RateRule | None:
        """The rate rule for a scheme, category and situation on the day."""
        return _in_force(self._rates.get((scheme, category, situation)), day)

    def rates_for(self, scheme: str, category: str, day: date) -> tuple[RateRule, ...]:
        """Every rate rule of a scheme's category in force on the day, one per situation."""
        found = (
            self.rate_for(scheme, category, s, day) for s in self._situations[scheme, category]
        )
        return tuple(r for r in found if r is not None)

    def param(self, scheme: str, name: str, day: date) -> int | None:
        """A named figure: the scheme's own row wins over the "*" row."""
        row = _in_force(self._params.get((scheme, name)), day)
        row = row or _in_force(self._params.get((ANY, name)), day)
        return row.value if row else None

    def dependant_rule(self, scheme: str, role: str, day: date) -> DependantRule | None:
        """The dependant rule for a role: the scheme's own row wins over the "*" row."""
        row = _in_force(self._dependants.get((scheme, role)), day)
        return row or _in_force(self._dependants.get((ANY, role)), day)

    def prior_auth_rules(
        self, scheme: str, category: str, code: str | None, day: date
    ) -> tuple[PriorAuthRule, ...]:
        """Rules on the whole category, then on the code, for the scheme or every scheme."""
        codes = (ANY,) if code is None else (ANY, code)
        keys = ((s, category, c) for c in codes for s in (scheme, ANY))
        found = (_in_force(self._prior_auth.get(k), day) for k in keys)
        return tuple(r for r in found if r is not None)

    def ald(self, code: str, day: date) -> AldCondition | None:
        """The listed ALD/ALC with that code in force on the day."""
        return _in_force(self._ald.get(code), day)

    def identifier_format(self, kind: str, day: date) -> IdentifierFormat | None:
        """The format of an identifier system on the day."""
        return _in_force(self._formats.get(kind), day)

    def compiled(self, pattern: str) -> re.Pattern[str]:
        """A compiled regular expression, compiled once per pattern."""
        if pattern not in self._compiled:
            self._compiled[pattern] = re.compile(pattern)
        return self._compiled[pattern]


_indexes: dict[int, tuple[ReferenceData, ReferenceIndex]] = {}


def index_of(ref: ReferenceData) -> ReferenceIndex:
    """The index of a dataset, built once per dataset object (datasets are immutable)."""
    kept = _indexes.get(id(ref))
    if kept is not None and kept[0] is ref:
        return kept[1]
    index = ReferenceIndex(ref)
    for stale in list(_indexes)[: max(0, len(_indexes) - _KEPT + 1)]:
        _indexes.pop(stale, None)
    # The dataset is kept alive with its index, so its id cannot be reused meanwhile.
    _indexes[id(ref)] = (ref, index)
    return index


def _situations(rates: Iterable[RateRule]) -> defaultdict[tuple[str, str], tuple[str, ...]]:
    """The situations each (scheme, category) has rows for, in first-seen order."""
    seen: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    for rule in rates:
        seen[rule.scheme, rule.category][rule.situation] = None
    return defaultdict(tuple, {k: tuple(v) for k, v in seen.items()})
