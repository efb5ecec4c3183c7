"""Reference data: every AMO figure is a row with an effective period and a source.

Rows are loaded from the files in `refdata/` into versioned tables; the rules read them
through `ReferenceData`, always for a date of care. Its lookups are indexed once per dataset,
so that each answer is a dict access. Rows of one key may follow each other in time (a rate
changes on a date); where two rows of one key overlap, the one that started last wins.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any, Protocol, TypeVar

from domain.reference_kinds import (
    ALD,
    ALD_RATES,
    ANY,
    CAPS,
    CLAIM_DOCUMENTS,
    DEPENDANTS,
    DRUGS,
    FEE_SUBSTITUTIONS,
    FILING_WINDOWS,
    IDENTIFIER_FORMATS,
    PA_TYPES,
    PARAMS,
    PAYMENT_TERMS,
    PRIOR_AUTH,
    RATES,
    ROUTES,
    SCHEMES,
    TARIFFS,
    RefKind,
)
from domain.reference_rows import (
    AldCondition,
    AldRate,
    Cap,
    CareCategory,
    ClaimDocument,
    DependantRule,
    Drug,
    EligibilityParam,
    FeeSubstitution,
    FilingWindow,
    IdentifierFormat,
    PaType,
    Payer,
    PayerRoute,
    PaymentTerm,
    PriorAuthRule,
    RateRule,
    Scheme,
    Tariff,
    Validity,
)
from domain.working_days import WorkingCalendar

_KEPT = 8  # datasets whose index is kept: the current one and a few being swapped in


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """All reference rows, as loaded; the version names the dataset they came from.

    One attribute per kind of domain.reference_kinds, named after it.
    """

    version: str
    schemes: tuple[Scheme, ...] = ()
    payers: tuple[Payer, ...] = ()
    routes: tuple[PayerRoute, ...] = ()
    rates: tuple[RateRule, ...] = ()
    ald: tuple[AldCondition, ...] = ()
    ald_rates: tuple[AldRate, ...] = ()
    dependants: tuple[DependantRule, ...] = ()
    params: tuple[EligibilityParam, ...] = ()
    prior_auth: tuple[PriorAuthRule, ...] = ()
    drugs: tuple[Drug, ...] = ()
    pa_types: tuple[PaType, ...] = ()
    identifier_formats: tuple[IdentifierFormat, ...] = ()
    tariffs: tuple[Tariff, ...] = ()
    fee_substitutions: tuple[FeeSubstitution, ...] = ()
    caps: tuple[Cap, ...] = ()
    filing_windows: tuple[FilingWindow, ...] = ()
    claim_documents: tuple[ClaimDocument, ...] = ()
    payment_terms: tuple[PaymentTerm, ...] = ()
    categories: tuple[str, ...] = field(default=())  # care category codes, in display order
    care_categories: tuple[CareCategory, ...] = ()  # the same, with labels and provenance
    # The working days payment terms count (public holidays from adapters.holiday_calendar).
    calendar: WorkingCalendar = field(default=WorkingCalendar())

    def index(self) -> ReferenceIndex:
        """The lookup tables over these rows, built on first use and kept."""
        return index_of(self)

    def scheme(self, code: str, day: date) -> Scheme | None:
        """The scheme with that code in force on the day."""
        return self.index().scheme(code, day)

    def payer_for(self, scheme: str, day: date) -> str | None:
        """The payer that pays the scheme's care on that date of care (law 54.23 routing)."""
        return self.index().payer_for(scheme, day)

    def rate_for(self, scheme: str, category: str, situation: str, day: date) -> RateRule | None:
        """The rate rule for a scheme, care category and situation on the day."""
        return self.index().rate_for(scheme, category, situation, day)

    def rates_for(self, scheme: str, category: str, day: date) -> tuple[RateRule, ...]:
        """Every rate rule of a scheme's care category in force on the day."""
        return self.index().rates_for(scheme, category, day)

    def param(self, scheme: str, name: str, day: date) -> int | None:
        """A named eligibility figure; the scheme's own row wins over the "*" row."""
        return self.index().param(scheme, name, day)

    def dependant_rule(self, scheme: str, role: str, day: date) -> DependantRule | None:
        """The dependant rule for a role; the scheme's own row wins over the "*" row."""
        return self.index().dependant_rule(scheme, role, day)

    def prior_auth_rules(
        self, scheme: str, category: str, code: str | None, day: date
    ) -> tuple[PriorAuthRule, ...]:
        """The prior-authorization rules that apply to a category, or to a code in it."""
        return self.index().prior_auth_rules(scheme, category, code, day)

    def ald_condition(self, code: str, day: date) -> AldCondition | None:
        """The listed ALD/ALC with that code, if in force on the day."""
        return self.index().ald(code, day)

    def ald_rate(self, scheme: str, condition: str, day: date) -> AldRate | None:
        """The scheme's own rate for care linked to that ALD/ALC on the day, if it sets one."""
        return self.index().ald_rate(scheme, condition, day)

    def drug(self, ean13: str, day: date) -> Drug | None:
        """The catalog's drug with that EAN13 code, if listed on the day."""
        return self.index().drug(ean13, day)

    def pa_type(self, code: str, day: date) -> PaType | None:
        """The kind of prise en charge with that code, in force on the day."""
        return self.index().pa_type(code, day)

    def identifier_format(self, kind: str, day: date) -> IdentifierFormat | None:
        """The format an identifier system requires on the day."""
        return self.index().identifier_format(kind, day)

    def identifier_pattern(self, kind: str, day: date) -> str | None:
        """The regular expression an identifier system's values must match on the day."""
        found = self.identifier_format(kind, day)
        return found.pattern if found else None

    def tariff(self, payer: str, provider_category: str, code: str, day: date) -> Tariff | None:
        """A tariff code's value for the payer and provider category on the day."""
        return self.index().tariff(payer, provider_category, code, day)

    def fee_substitution(self, payer: str, code: str, day: date) -> FeeSubstitution | None:
        """The code a flat fee is paid as when its justifying document is missing."""
        return self.index().fee_substitution(payer, code, day)

    def cap(self, payer: str, category: str, code: str, day: date) -> Cap | None:
        """The cap on what the RO pays for a code of a category per period, if any."""
        return self.index().cap(payer, category, code, day)

    def filing_window(self, payer: str, claim_type: str, day: date) -> FilingWindow | None:
        """How long after the date of service a claim of that type may be filed."""
        return self.index().filing_window(payer, claim_type, day)

    def required_documents(
        self, payer: str, claim_type: str, day: date
    ) -> tuple[ClaimDocument, ...]:
        """The documents a claim of that type must carry for the payer, by code."""
        return self.index().required_documents(payer, claim_type, day)

    def payment_term(self, payer: str, claim_type: str, day: date) -> PaymentTerm | None:
        """How many days after a compliant claim of that type the payer pays."""
        return self.index().payment_term(payer, claim_type, day)


class _Dated(Protocol):
    @property
    def validity(self) -> Validity: ...


R = TypeVar("R", bound=_Dated)


def _group(ref: ReferenceData, kind: RefKind) -> dict[Hashable, tuple[Any, ...]]:
    """A kind's rows by their key (one field: its value; several: a tuple), latest start first."""
    key = attrgetter(*kind.key)
    groups: dict[Hashable, list[Any]] = defaultdict(list)
    for row in getattr(ref, kind.name):
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
        self._schemes: dict[Hashable, tuple[Scheme, ...]] = _group(ref, SCHEMES)
        self._routes: dict[Hashable, tuple[PayerRoute, ...]] = _group(ref, ROUTES)
        self._rates: dict[Hashable, tuple[RateRule, ...]] = _group(ref, RATES)
        self._situations = _situations(ref.rates)
        self._params: dict[Hashable, tuple[EligibilityParam, ...]] = _group(ref, PARAMS)
        self._dependants: dict[Hashable, tuple[DependantRule, ...]] = _group(ref, DEPENDANTS)
        self._prior_auth: dict[Hashable, tuple[PriorAuthRule, ...]] = _group(ref, PRIOR_AUTH)
        self._ald: dict[Hashable, tuple[AldCondition, ...]] = _group(ref, ALD)
        self._ald_rates: dict[Hashable, tuple[AldRate, ...]] = _group(ref, ALD_RATES)
        self._drugs: dict[Hashable, tuple[Drug, ...]] = _group(ref, DRUGS)
        self._pa_types: dict[Hashable, tuple[PaType, ...]] = _group(ref, PA_TYPES)
        self._formats: dict[Hashable, tuple[IdentifierFormat, ...]] = _group(
            ref, IDENTIFIER_FORMATS
        )
        self._compiled: dict[str, re.Pattern[str]] = {}
        self._tariffs: dict[Hashable, tuple[Tariff, ...]] = _group(ref, TARIFFS)
        self._substitutions: dict[Hashable, tuple[FeeSubstitution, ...]] = _group(
            ref, FEE_SUBSTITUTIONS
        )
        self._caps: dict[Hashable, tuple[Cap, ...]] = _group(ref, CAPS)
        self._windows: dict[Hashable, tuple[FilingWindow, ...]] = _group(ref, FILING_WINDOWS)
        self._terms: dict[Hashable, tuple[PaymentTerm, ...]] = _group(ref, PAYMENT_TERMS)
        self._documents: dict[Hashable, tuple[tuple[ClaimDocument, ...], ...]] = _by_prefix(
            _group(ref, CLAIM_DOCUMENTS)
        )

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

    def ald_rate(self, scheme: str, condition: str, day: date) -> AldRate | None:
        """The scheme's rate for care linked to that ALD/ALC on the day."""
        return _in_force(self._ald_rates.get((scheme, condition)), day)

    def drug(self, ean13: str, day: date) -> Drug | None:
        """The catalog's drug with that EAN13 code on the day."""
        return _in_force(self._drugs.get(ean13), day)

    def pa_type(self, code: str, day: date) -> PaType | None:
        """The kind of prise en charge with that code on the day."""
        return _in_force(self._pa_types.get(code), day)

    def identifier_format(self, kind: str, day: date) -> IdentifierFormat | None:
        """The format of an identifier system on the day."""
        return _in_force(self._formats.get(kind), day)

    def tariff(self, payer: str, provider_category: str, code: str, day: date) -> Tariff | None:
        """The payer's own row, then the category's, win over the "*" rows."""
        keys = [(p, c, code) for p in (payer, ANY) for c in (provider_category, ANY)]
        return _first(self._tariffs, keys, day)

    def fee_substitution(self, payer: str, code: str, day: date) -> FeeSubstitution | None:
        """The payer's own substitution, else the one for every payer."""
        return _first(self._substitutions, [(payer, code), (ANY, code)], day)

    def cap(self, payer: str, category: str, code: str, day: date) -> Cap | None:
        """The payer's own cap, then on the code, win over the "*" rows."""
        keys = [(p, category, c) for p in (payer, ANY) for c in (code, ANY)]
        return _first(self._caps, keys, day)

    def filing_window(self, payer: str, claim_type: str, day: date) -> FilingWindow | None:
        """The payer's own window, else the one for every payer."""
        return _first(self._windows, [(payer, claim_type), (ANY, claim_type)], day)

    def required_documents(
        self, payer: str, claim_type: str, day: date
    ) -> tuple[ClaimDocument, ...]:
        """The documents in force for every payer and for the payer, by document code."""
        found: dict[str, ClaimDocument] = {}
        for owner in (ANY, payer):
            for rows in self._documents.get((owner, claim_type), ()):
                row = _in_force(rows, day)
                if row is not None:
                    found[row.document] = row
        return tuple(found[code] for code in sorted(found))

    def payment_term(self, payer: str, claim_type: str, day: date) -> PaymentTerm | None:
        """The payer's term for the claim type, then its general one, then every payer's."""
        keys = [(p, c) for p in (payer, ANY) for c in (claim_type, ANY)]
        return _first(self._terms, keys, day)

    def compiled(self, pattern: str) -> re.Pattern[str]:
        """A compiled regular expression, compiled once per pattern."""
        if pattern not in self._compiled:
            self._compiled[pattern] = re.compile(pattern)
        return self._compiled[pattern]


def _first(groups: dict[Hashable, tuple[R, ...]], keys: Iterable[Hashable], day: date) -> R | None:
    """The row in force on the day under the first key, in order, that has one."""
    return next((row for k in keys if (row := _in_force(groups.get(k), day))), None)


def _by_prefix(
    groups: dict[Hashable, tuple[R, ...]],
) -> dict[Hashable, tuple[tuple[R, ...], ...]]:
    """Rows grouped by a three-part key, gathered by the key's first two parts."""
    gathered: dict[Hashable, list[tuple[R, ...]]] = defaultdict(list)
    for key, rows in groups.items():
        assert isinstance(key, tuple)
        gathered[key[:2]].append(rows)
    return {k: tuple(v) for k, v in gathered.items()}


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
