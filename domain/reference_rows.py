"""Reference rows: every AMO figure is a row with an effective period and a source.

Each kind of row is a frozen dataclass whose fields are its columns; the annotations say
more where a plain type is not enough (`OneOf`, `Share`, `Regex`, `Prose`). The kinds are
registered once in `domain.reference_kinds`, and that declaration drives the files' parser,
the SQL tables and the loader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from domain.working_days import DAY_KINDS

CONFIDENCES = frozenset({"C", "P", "U"})
SITUATIONS = frozenset({"standard", "public-hospital", "generic", "costly", "ald"})
BASES = frozenset({"TNR", "PPV", "PBR", "FLAT"})
ALD_KINDS = frozenset({"ALD", "ALC"})
ROLES = frozenset({"spouse", "child"})


# What a column's type alone does not say. Each constraint tells what is wrong with a value,
# in French for whoever maintains the files, or None when the value is fine.


@dataclass(frozen=True, slots=True)
class OneOf:
    """A code that must be one of a closed set."""

    values: frozenset[str]

    def problem(self, value: Any) -> str | None:
        """Why the value is refused, or None."""
        return None if value in self.values else f"« {value} » hors de {sorted(self.values)}"


@dataclass(frozen=True, slots=True)
class Share:
    """A rate: a decimal between 0 and 1."""

    def problem(self, value: Any) -> str | None:
        """Why the value is refused, or None."""
        if value.is_finite() and Decimal(0) <= value <= Decimal(1):
            return None
        return "taux entre 0 et 1 attendu"


@dataclass(frozen=True, slots=True)
class Regex:
    """A regular expression, which must compile."""

    def problem(self, value: Any) -> str | None:
        """Why the value is refused, or None."""
        try:
            re.compile(value)
        except re.error as exc:
            return f"expression régulière invalide ({exc})"
        return None


@dataclass(frozen=True, slots=True)
class Prose:
    """Free text of any length (a citation, a reason), as opposed to a code or a label."""

    def problem(self, value: Any) -> str | None:
        """Any text is fine."""
        return None


@dataclass(frozen=True, slots=True)
class Validity:
    """When a row is in force: from `valid_from` to `valid_to` inclusive (None: open)."""

    valid_from: date
    valid_to: date | None = None

    def covers(self, day: date) -> bool:
        """Whether the row is in force on that day."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a figure comes from and how sure we are: C confirmed, P one source, U unverified."""

    source: Annotated[str, Prose()]
    confidence: Annotated[str, OneOf(CONFIDENCES)] = "C"


@dataclass(frozen=True, slots=True)
class Scheme:
    """An AMO scheme (régime): who is covered and under which rules."""

    code: str
    label: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Payer:
    """A body that pays for a scheme (CNSS, CNOPS)."""

    code: str
    label: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class PayerRoute:
    """Which payer pays a scheme's care for dates of care in the validity (law 54.23)."""

    scheme: str
    payer: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class CareCategory:
    """A care category (consultation, pharmacy, ...) with its French label."""

    code: str
    label: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class RateRule:
    """The share the RO pays for a care category in a situation, and on which base."""

    scheme: str
    category: str
    situation: Annotated[str, OneOf(SITUATIONS)]
    rate: Annotated[Decimal, Share()]
    base: Annotated[str, OneOf(BASES)]
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class AldCondition:
    """A listed long-term condition (ALD) or long costly condition (ALC)."""

    code: str  # the kind followed by 2 or 3 digits (reference_kinds checks it)
    label: str
    kind: Annotated[str, OneOf(ALD_KINDS)]
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class AldRate:
    """The share the RO pays for care linked to one ALD/ALC, where the payer sets it per
    condition (CNSS: 90 to 100 %); other linked care takes its category's `ald` rate."""

    scheme: str
    condition: str  # an ALD/ALC code of the ALD kind
    rate: Annotated[Decimal, Share()]
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class DependantRule:
    """Who may be covered through an insured, and up to which age."""

    scheme: str  # a scheme code or "*"
    role: Annotated[str, OneOf(ROLES)]
    # The oldest age covered, as the texts write it ("âgés de 21 ans au plus"): covered through
    # the whole year of that age, until the day before the next birthday (None: no limit).
    max_age: int | None
    student_max_age: int | None  # the same, for unmarried students in higher education
    disabled_unlimited: bool
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class EligibilityParam:
    """A named figure of the eligibility rules for a scheme (e.g. min_working_days = 54)."""

    scheme: str  # a scheme code or "*"
    name: str
    value: int
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class PriorAuthRule:
    """Care that needs a prior authorization (prise en charge): a category, or one code in it."""

    scheme: str  # a scheme code or "*"
    category: str
    code: str  # "*" for the whole category, else a code (EAN13, NGAP act, ...)
    reason: Annotated[str, Prose()]
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class IdentifierFormat:
    """The shape an identifier system's values must have (a regular expression)."""

    kind: str
    pattern: Annotated[str, Regex(), Prose()]
    validity: Validity
    provenance: Provenance
    label: str = ""  # the system's French name, for messages
    hint: str = ""  # the expected shape in words ("10 chiffres"), for messages


@dataclass(frozen=True, slots=True)
class Ean13:
    """A drug's EAN13 code: 13 digits whose last is the GS1 check digit."""

    def problem(self, value: Any) -> str | None:
        """Why the value is refused, or None."""
        if not (isinstance(value, str) and len(value) == 13 and value.isdigit()):
            return "code EAN13 attendu : 13 chiffres"
        weights = (1, 3) * 6
        total = sum(int(d) * w for d, w in zip(value[:12], weights, strict=True))
        return None if (10 - total % 10) % 10 == int(value[12]) else "clé de contrôle EAN13 fausse"


@dataclass(frozen=True, slots=True)
class Drug:
    """A drug of the payer's catalog: what it is, its prices, and what its prise en charge asks.

    Prices are integer centimes of MAD. `indications` are the ALD/ALC codes a costly drug is
    listed for (space-separated); `specialties` the prescribers' specialties allowed (none:
    any). `max_quantity` boxes per `period_days` days bound what one PEC may grant."""

    ean13: Annotated[str, Ean13()]
    dci: str
    form: str
    strength: str
    generic_group: str  # drugs of one group are substitutable; the PBR is the group's base
    ppv_centimes: int  # prix public de vente
    pbr_centimes: int | None  # prix base de remboursement; None: the PPV is the base
    reimbursable: bool
    costly: bool  # on the costly-drug list (médicaments coûteux, tiers payant)
    indications: str | None  # None: not a costly drug's list entry
    max_quantity: int
    period_days: int
    specialties: str | None  # None: any prescriber
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class PaType:
    """A kind of prise en charge: what the provider must attach, how fast the payer answers,
    how long a grant is valid, and whether urgent care may be regularised afterwards."""

    code: str  # hospitalisation, costly-drug, device, multi-session, ...
    label: str
    documents: Annotated[str, Prose()]  # the documents the request must carry
    answer_hours: int  # the payer's deadline to decide
    validity_days: int  # how long a grant stays usable
    regularise_hours: int  # urgent care may be authorised afterwards within this; 0: never
    validity: Validity
    provenance: Provenance


TARIFF_KINDS = frozenset({"letter", "flat", "day"})
PERIOD_UNITS = frozenset({"day", "month"})


@dataclass(frozen=True, slots=True)
class Tariff:
    """The value of a tariff code (TNR) for a payer and a provider category, in centimes.

    A `letter` is an NGAP key letter or the NABM B, worth `value_centimes` per unit of
    coefficient; a `flat` fee is paid as is; a `day` rate per day of stay. `payer` and
    `provider_category` may be "*" (every one); a row for the payer, then for the category,
    wins over a "*" row."""

    payer: str
    provider_category: str
    code: str
    kind: Annotated[str, OneOf(TARIFF_KINDS)]
    value_centimes: int
    label: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class FeeSubstitution:
    """A flat fee paid at another code's tariff when a document does not justify it
    (CNOPS: a caesarean without its indication report is paid as a vaginal delivery)."""

    payer: str
    code: str
    document: str  # the document that justifies the code
    paid_as: str  # the tariff code paid without it
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Cap:
    """The most the RO pays for a care category (or one code of it) per renewal period."""

    payer: str
    category: str
    code: str  # "*" for the whole category, else one code (frame, lens, ...)
    amount_centimes: int
    period_months: int
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class FilingWindow:
    """How long after the date of service a claim of one type may be filed (last day included)."""

    payer: str
    claim_type: str
    span: int  # how many units
    unit: Annotated[str, OneOf(PERIOD_UNITS)]
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class ClaimDocument:
    """A document a claim of one type must carry for the payer."""

    payer: str
    claim_type: str
    document: str
    label: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class PaymentTerm:
    """How many days after a compliant claim the payer pays the provider, counted in
    calendar days or in working days (domain.working_days)."""

    payer: str
    claim_type: str  # a claim type or "*"
    days: int
    day_kind: Annotated[str, OneOf(DAY_KINDS)]
    validity: Validity
    provenance: Provenance
