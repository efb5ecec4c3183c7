"""Adjudication of a claim, line by line, from the reference data in force on each date of care.

- Refused first, with a coded reason: a provider not admitted to the payer's tiers payant,
  a line filed after its window, a duplicate, a prescription dispensed at another pharmacy,
  a refill too early, care that needs a prior authorization without a valid one, an unknown
  or non-reimbursable drug, a code without a tariff, a category without a rate.
- The base: the tariff for the payer and provider category (key letter x coefficient, NABM B x
  units, flat fee, day rate x days), or the drug's price on the rate's base (PBR, or the PPV:
  a dispensed generic's own), for at most the prescribed quantity. A flat fee its document
  does not justify is paid at its substitute's tariff (CNOPS: caesarean as vaginal delivery).
- The rate: the scheme's for the category and situation (generic, public hospital), or the
  ALD exemption for a line linked to a condition the patient holds on that day when it pays
  more.
- The split: RO = min(billed, base) x rate, within the cap's room for the period; RC its share
  of the ticket modérateur and of the billing above tariff; the patient the rest. The billing
  above tariff is never the RO's. Missing documents make a line incomplete, not refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.claims import (
    PAYABLE,
    Adjudication,
    ClaimHistory,
    ClaimLine,
    ClaimUse,
    CodeKind,
    Complementary,
    LineResult,
    LineStatus,
    PastBenefit,
    SubmitClaim,
)
from domain.money import ZERO, Money
from domain.payment_clock import due_date
from domain.reference import ReferenceData
from domain.reference_rows import Drug, RateRule
from domain.rules import claim_checks as checks
from domain.rules.coverage import ALD, ald_rate, default_rate

NABM_LETTER = "B"  # NABM acts are priced in B units
GENERIC = "generic"  # the rate situation of a dispensed generic
PUBLIC_HOSPITAL = "public-hospital"  # the provider category, and the rate situation
PBR = "PBR"


@dataclass(frozen=True, slots=True)
class Rate:
    """The rate a line is paid at, the rule it comes from and whether it is the ALD's."""

    rule: RateRule
    rate: Decimal
    ald_exempt: bool


@dataclass(frozen=True, slots=True)
class Shares:
    """How a billed amount splits, to the centime."""

    eligible: Money
    above_tariff: Money
    benefit: Money
    complementary: Money
    patient: Money


def adjudicate(cmd: SubmitClaim, history: ClaimHistory, ref: ReferenceData) -> Adjudication:
    """The answer to a claim: each line in order, a line's benefit counting towards the caps
    of the lines after it."""
    results: list[LineResult] = []
    benefits = list(history.benefits)
    for line in cmd.lines:
        result = adjudicate_line(cmd, line, ClaimHistory(history.lines, tuple(benefits)), ref)
        results.append(result)
        if result.status in PAYABLE:
            benefits.append(
                PastBenefit(line.category, line.code, line.service_date, result.benefit)
            )
    lines = tuple(results)
    return Adjudication(cmd.claim_id, cmd.use, lines, payment_date(cmd, lines, ref), ref.version)


def payment_date(
    cmd: SubmitClaim, lines: tuple[LineResult, ...], ref: ReferenceData
) -> date | None:
    """When the payer pays: its term after filing (calendar or working days), if anything is
    payable on a claim."""
    if cmd.use is not ClaimUse.CLAIM or not any(line.status in PAYABLE for line in lines):
        return None
    term = ref.payment_term(cmd.payer, cmd.claim_type, cmd.filed_on)
    return None if term is None else due_date(cmd.filed_on, term, ref.calendar)


def adjudicate_line(
    cmd: SubmitClaim, line: ClaimLine, history: ClaimHistory, ref: ReferenceData
) -> LineResult:
    """The answer for one line."""
    refusal = line_refusal(cmd, line, history, ref)
    if refusal is not None:
        return rejected(line, refusal, ref.version)
    rate = line_rate(cmd, line, ref)
    if rate is None:
        return rejected(line, "categorie-non-couverte", ref.version)
    base, reasons = line_base(cmd, line, rate.rule, ref)
    if base is None:
        return rejected(line, reasons[0], ref.version)
    cap = ref.cap(cmd.payer, line.category, line.code, line.service_date)
    limit = None if cap is None else checks.cap_room(cap, line, history.benefits)
    shares = split(line.billed, base, rate.rate, cmd.complementary, limit)
    reasons += _share_reasons(cmd, line, rate, shares)
    missing = checks.missing_documents(line, cmd.payer, cmd.claim_type, ref)
    status = _status(reasons, missing)
    return LineResult(
        line.sequence,
        status,
        line.billed,
        shares.eligible,
        shares.benefit,
        shares.complementary,
        shares.patient,
        shares.above_tariff,
        rate.rate,
        rate.ald_exempt,
        reasons + (("pieces-manquantes",) if missing else ()),
        missing,
        ref.version,
    )


def _share_reasons(
    cmd: SubmitClaim, line: ClaimLine, rate: Rate, shares: Shares
) -> tuple[str, ...]:
    reasons: list[str] = []
    if rate.ald_exempt:
        reasons.append("exoneration-ald")
    elif line.ald_condition is not None and not cmd.insured.holds(
        line.ald_condition, line.service_date
    ):
        reasons.append("ald-non-detenue")
    if shares.above_tariff > ZERO:
        reasons.append("depassement-tarif")
    if shares.benefit < shares.eligible.share(rate.rate):
        reasons.append("plafond-atteint")
    return tuple(reasons)


_REDUCING = frozenset(
    {"depassement-tarif", "plafond-atteint", "forfait-substitue", "quantite-au-dela-prescription"}
)


def _status(reasons: tuple[str, ...], missing: tuple[str, ...]) -> LineStatus:
    if missing:
        return LineStatus.INCOMPLETE
    if _REDUCING.intersection(reasons):
        return LineStatus.REDUCED
    return LineStatus.ACCEPTED


def rejected(line: ClaimLine, reason: str, version: str) -> LineResult:
    """A refused line: the RO pays nothing and the patient owes what was billed."""
    return LineResult(
        line.sequence,
        LineStatus.REJECTED,
        line.billed,
        ZERO,
        ZERO,
        ZERO,
        line.billed,
        ZERO,
        Decimal(0),
        False,
        (reason,),
        (),
        version,
    )


def line_refusal(
    cmd: SubmitClaim, line: ClaimLine, history: ClaimHistory, ref: ReferenceData
) -> str | None:
    """The coded reason a line is refused before it is priced, or None."""
    day = line.service_date
    member = cmd.insured.member_id
    past = [p for p in history.lines if p.claim_id != cmd.related_claim]
    if not cmd.admitted:
        return "prestataire-non-admis"
    window = ref.filing_window(cmd.payer, cmd.claim_type, day)
    if cmd.use is ClaimUse.CLAIM and checks.filed_late(window, day, cmd.filed_on):
        return "depot-hors-delai"
    if checks.is_duplicate(line, cmd.provider_id, member, past):
        return "doublon"
    if checks.dispensed_elsewhere(line, cmd.provider_id, past):
        return "ordonnance-deja-servie"
    drug = ref.drug(line.code, day) if line.kind is CodeKind.DRUG else None
    if drug is not None and checks.refill_too_early(line, member, drug, past):
        return "renouvellement-premature"
    needs_pa = ref.prior_auth_rules(cmd.insured.scheme, line.category, line.code, day)
    if needs_pa and not line.pa_valid:
        return "accord-prealable-requis"
    return None


def line_rate(cmd: SubmitClaim, line: ClaimLine, ref: ReferenceData) -> Rate | None:
    """The rate the line is paid at: its category's, or the ALD exemption when it pays more."""
    scheme, day = cmd.insured.scheme, line.service_date
    rule = default_rate(scheme, line.category, day, ref, situation(cmd, line))
    if cmd.insured.holds(line.ald_condition, day) and line.ald_condition is not None:
        ald = ref.rate_for(scheme, line.category, ALD, day)
        if ald is not None:
            exempt = ald_rate(ald, (line.ald_condition,), day, ref)
            if rule is None or exempt >= rule.rate:
                return Rate(ald, exempt, True)
    return None if rule is None else Rate(rule, rule.rate, False)


def situation(cmd: SubmitClaim, line: ClaimLine) -> str | None:
    """The rate situation the line asks for: a dispensed generic, care in a public hospital,
    or none (the category's default)."""
    if line.generic_dispensed:
        return GENERIC
    if cmd.provider_category == PUBLIC_HOSPITAL:
        return PUBLIC_HOSPITAL
    return None


def line_base(
    cmd: SubmitClaim, line: ClaimLine, rule: RateRule, ref: ReferenceData
) -> tuple[Money | None, tuple[str, ...]]:
    """The base of the line before the rate, with the reasons it was reduced or refused."""
    quantity = checks.paid_quantity(line)
    reduced = ("quantite-au-dela-prescription",) if quantity < line.quantity else ()
    if line.kind is CodeKind.DRUG:
        drug = ref.drug(line.code, line.service_date)
        if drug is None:
            return None, ("medicament-inconnu",)
        if not drug.reimbursable:
            return None, ("medicament-non-remboursable",)
        return Money(drug_price(drug, rule)).times(quantity), reduced
    code, substituted = tariff_code(cmd, line, ref)
    tariff = ref.tariff(cmd.payer, cmd.provider_category, code, line.service_date)
    if tariff is None:
        return None, ("tarif-introuvable",)
    factor = line.coefficient * quantity if line.kind in _PER_UNIT else Decimal(quantity)
    return Money(tariff.value_centimes).times(factor), reduced + substituted


_PER_UNIT = frozenset({CodeKind.NGAP, CodeKind.NABM})


def drug_price(drug: Drug, rule: RateRule) -> int:
    """A box's base: the PBR where the rate is on the PBR and the catalog sets one, else the
    drug's own PPV (a dispensed generic's own price)."""
    if rule.base == PBR and drug.pbr_centimes is not None:
        return drug.pbr_centimes
    return drug.ppv_centimes


def tariff_code(
    cmd: SubmitClaim, line: ClaimLine, ref: ReferenceData
) -> tuple[str, tuple[str, ...]]:
    """The tariff code the line is priced at: B for a NABM act; a flat fee's substitute when
    the document that justifies it is missing; else the line's own code."""
    if line.kind is CodeKind.NABM:
        return NABM_LETTER, ()
    if line.kind is not CodeKind.FLAT:
        return line.code, ()
    substitution = ref.fee_substitution(cmd.payer, line.code, line.service_date)
    if substitution is None or substitution.document in line.documents:
        return line.code, ()
    return substitution.paid_as, ("forfait-substitue",)


def split(
    billed: Money,
    base: Money,
    rate: Decimal,
    complementary: Complementary | None,
    limit: Money | None = None,
) -> Shares:
    """RO = min(billed, base) x rate (within `limit`), RC its shares, the patient the rest:
    each share rounded once by the house rule, the three adding up to the billed amount."""
    eligible = min(billed, base)
    above = billed - eligible
    benefit = eligible.share(rate)
    if limit is not None:
        benefit = min(benefit, limit)
    rc = ZERO
    if complementary is not None:
        ticket = eligible - benefit
        rc = ticket.share(complementary.ticket_rate) + above.share(complementary.above_tariff_rate)
    return Shares(eligible, above, benefit, rc, billed - benefit - rc)
