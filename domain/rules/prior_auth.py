"""What the rules can decide of a prise en charge at once, and what goes to a medical reviewer.

- A person not covered on the date of care is never granted anything (refused, coded).
- Urgent care of a kind that may be regularised afterwards is granted provisionally, to be
  confirmed by a reviewer within the kind's regularisation delay.
- A costly-drug request is granted at once when every line is a reimbursable drug of the
  costly list, indicated for an ALD/ALC the member holds on that date, prescribed by an
  allowed specialty, within the catalog's maximum quantity; a suspended member keeps such care.
- Everything else is queued for review, with the reasons the rules could not decide, and
  the payer's deadline to answer.

Each figure (deadline, validity, ceilings, lists) is a reference row in force on the date of
care; the decision names the dataset version it used.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.eligibility import EligibilityDecision, EligibilityStatus
from domain.errors import UnknownCode
from domain.prior_auth import PaLine
from domain.reference import ReferenceData
from domain.reference_rows import Drug

COSTLY_DRUG = "costly-drug"  # the kind of prise en charge the rules may grant by themselves


class Verdict(StrEnum):
    """What the rules decided."""

    GRANTED = "granted"
    PROVISIONAL = "provisional"  # urgent care, granted until a reviewer confirms it
    QUEUED = "queued"  # for a medical reviewer, before `deadline`
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class PaRequest:
    """A request for prise en charge as the rules see it."""

    pa_type: str
    lines: tuple[PaLine, ...]
    date_of_care: date
    prescriber_specialty: str | None = None
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class AutoDecision:
    """The rules' answer: a verdict, its coded reasons, and the dates that go with it."""

    verdict: Verdict
    reasons: tuple[str, ...]
    deadline: datetime  # the payer's answer is due by then (queued requests)
    valid_from: date | None = None  # granted ones
    valid_until: date | None = None  # inclusive
    rules_version: str = ""


def decide_request(
    request: PaRequest, rights: EligibilityDecision, ref: ReferenceData, *, now: datetime
) -> AutoDecision:
    """Grant, grant provisionally, queue or refuse a request, from the rules alone."""
    day = request.date_of_care
    kind = ref.pa_type(request.pa_type, day)
    if kind is None:
        raise UnknownCode(
            f"Type de prise en charge inconnu : « {request.pa_type[:64]} »",
            expression="Claim.type",
        )
    deadline = now + timedelta(hours=kind.answer_hours)
    until = day + timedelta(days=kind.validity_days - 1)

    def answer(verdict: Verdict, *reasons: str, granted: bool = False) -> AutoDecision:
        return AutoDecision(
            verdict,
            reasons,
            deadline,
            valid_from=day if granted else None,
            valid_until=until if granted else None,
            rules_version=ref.version,
        )

    if not (rights.status.in_force or rights.status is EligibilityStatus.SUSPENDED):
        return answer(Verdict.REFUSED, "droits-non-ouverts")
    if not request.lines:  # nothing in a code system the rules read: a reviewer's call
        return answer(Verdict.QUEUED, "examen-medical")
    if request.urgent and kind.regularise_hours > 0 and rights.status.in_force:
        # Granted now; the deadline is then the regularisation's: a reviewer confirms by then.
        regularise_by = now + timedelta(hours=kind.regularise_hours)
        return replace(
            answer(Verdict.PROVISIONAL, "admission-urgente", granted=True), deadline=regularise_by
        )
    if request.pa_type != COSTLY_DRUG:
        return answer(Verdict.QUEUED, "examen-medical")
    why = (r for line in request.lines for r in _line(request, line, rights, ref))
    blocked = tuple(dict.fromkeys(why))  # each reason once, in the order of the lines
    if blocked:
        return answer(Verdict.QUEUED, *blocked)
    return answer(Verdict.GRANTED, "accord-automatique", granted=True)


def _line(
    request: PaRequest, line: PaLine, rights: EligibilityDecision, ref: ReferenceData
) -> tuple[str, ...]:
    """Why the rules cannot grant one line themselves (nothing: they can)."""
    drug = ref.drug(line.code, request.date_of_care)
    if drug is None or not (drug.costly and drug.reimbursable):
        return ("hors-liste-medicaments-couteux",)
    return tuple(
        reason
        for reason, fails in (
            ("indication-non-couverte", not _indicated(drug, rights)),
            ("specialite-non-autorisee", not _prescriber_allowed(drug, request)),
            ("quantite-au-dela-du-plafond", line.quantity > drug.max_quantity),
        )
        if fails
    )


def _indicated(drug: Drug, rights: EligibilityDecision) -> bool:
    """The drug is listed for an ALD/ALC the member holds on the date of care."""
    if drug.indications is None:
        return False
    return not set(drug.indications.split()).isdisjoint(rights.ald_conditions)


def _prescriber_allowed(drug: Drug, request: PaRequest) -> bool:
    """Any prescriber when the catalog names no specialty; else one of those named."""
    if drug.specialties is None:
        return True
    return request.prescriber_specialty in drug.specialties.split()
