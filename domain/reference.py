"""Reference data: every AMO figure is a row with an effective period and a source.

Rows are loaded from the files in `refdata/` into versioned tables; the rules read them
through `ReferenceData`, always for a date of care. Its lookups are indexed once per dataset,
so that each answer is a dict access. Rows of one key may follow each other in time (a rate
changes on a date); where two rows of one key overlap, the one that started last wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.reference_index import ReferenceIndex, index_of
from domain.reference_rows import (
    AldCondition,
    AldRate,
    Cap,
    CareCategory,
    ClaimDocument,
    ComplementaryCover,
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
)
from domain.working_days import WorkingCalendar


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
    complementary_covers: tuple[ComplementaryCover, ...] = ()
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

    def complementary_cover(
        self, organisation: str, category: str, day: date
    ) -> ComplementaryCover | None:
        """What a complementary organisation pays of a line of the category on the day."""
        return self.index().complementary_cover(organisation, category, day)
