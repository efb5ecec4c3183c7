"""EligibilityOutcome -> CoverageEligibilityResponse, built as a plain dict (no model on the
hot path); the tests check every shape against the R4 JSON schema and the R4B model.

Items whose category asks for the whole plan, or maps to none of ours (`items.GeneralItem`),
are answered with the plan's general benefits: the per-category benefit items, as for the
purpose `benefits`. R4 has no warning element on CoverageEligibilityResponse, and its `error`
means the request failed (remittance-outcome `error`), so an unrecognised category is said
with the core elements meant for people, no extension a client must know:

- `disposition` ("a human readable description of the status of the adjudication") ends with
  the label of our reason `categorie-non-reconnue`;
- an `insurance.item` repeats the category as the client wrote it (item.category is bound
  *extensible* in our profile: a foreign code is allowed when none of ours applies), with that
  label in `description`, and neither `excluded` nor `benefit`: the general benefits listed
  beside it are the answer.

The outcome stays `complete`: the eligibility itself was fully decided.

A double affiliation is an `error` outcome (the payer must resolve it), and names for the
payer's review each affiliation found in force: a contained Coverage (`candidate-1`, ...) with
its scheme, payer and start, each referenced by an `insurance` not in force; the disposition
lists them too. The benefit items are built in `fhir_profiles.eligibility_items`.

When the requesting provider cannot bill the routed payer in tiers payant (not admitted with
it, convention suspended or ended), the rights are stated all the same and the response
carries our extension `tiers-payant-refusal` (a reason code) and says it in the disposition.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from domain.eligibility import (
    Candidate,
    EligibilityDecision,
    EligibilityOutcome,
    EligibilityStatus,
)
from domain.members import Role
from domain.reference import ReferenceData
from fhir_profiles import labels, messages, systems
from fhir_profiles.eligibility_in import EligibilityRequestIn
from fhir_profiles.eligibility_items import UNRECOGNISED, benefit_items, coding, unrecognised

Json = dict[str, Any]
COVERAGE_ID: Final = "coverage"
CANDIDATE_ID: Final = "candidate"  # contained Coverages of a double affiliation: candidate-1, ...
RELATIONSHIPS: Final = {Role.INSURED: "self", Role.SPOUSE: "spouse", Role.CHILD: "child"}


def from_domain(
    request: EligibilityRequestIn,
    outcome: EligibilityOutcome,
    *,
    response_id: str,
    request_id: str,
    created: datetime,
    requestor_inpe: str,
    ref: ReferenceData | None = None,
) -> Json:
    """The CoverageEligibilityResponse answering a request (ref gives display names)."""
    decision = outcome.decision
    names = ref or request.ref or ReferenceData(version="")
    body: Json = {
        "resourceType": "CoverageEligibilityResponse",
        "id": response_id,
        "meta": {"profile": [systems.SD_ELIGIBILITY_RESPONSE]},
        "status": "active",
        "purpose": list(request.purposes),
        "patient": request.patient,
        "servicedDate": decision.date_of_care.isoformat(),
        "created": _instant(created),
        "requestor": _by_identifier("Organization", systems.INPE, requestor_inpe),
        "request": {"reference": f"CoverageEligibilityRequest/{request_id}"},
        "outcome": "complete",
        "disposition": _disposition(decision),
        "insurer": _insurer(decision, request, names),
    }
    if outcome.tiers_payant:
        body["extension"] = [_refusal(code) for code in outcome.tiers_payant]
    if request.identifiers:
        body["identifier"] = list(request.identifiers)
    if decision.status is not EligibilityStatus.NOT_FOUND and decision.payer and decision.scheme:
        body["contained"] = [_coverage(decision, request, names)]
        body["insurance"] = [_insurance(outcome, request, names)]
        if unrecognised(request):
            body["disposition"] += f" ; {messages.label(UNRECOGNISED)}"
    else:
        # No coverage to describe (not found, or two affiliations to resolve): the reasons are
        # the answer, as coded errors a client can act on.
        body["outcome"] = "error"
        fallback = ("membre-introuvable",) if decision.status is EligibilityStatus.NOT_FOUND else ()
        body["error"] = [{"code": _reason(c)} for c in decision.reasons or fallback]
        if decision.candidates:
            body["contained"], body["insurance"] = _candidates(decision, request, names)
            body["disposition"] += " : " + ", ".join(_named(c, names) for c in decision.candidates)
    for code in outcome.tiers_payant:
        body["disposition"] += f" ; {messages.label(code)}"
    return body


def request_resource(request: EligibilityRequestIn, request_id: str) -> Json:
    """The request as stored: as received, with our id, bundle-internal references made logical."""
    stored = {**request.resource, "id": request_id}
    for name in ("patient", "insurer"):
        target = stored.get(name, {}).get("reference")
        if isinstance(target, str) and target.startswith("urn:"):
            stored[name] = getattr(request, name)
    return stored


def _instant(moment: datetime) -> str:
    """A FHIR dateTime to the second, in UTC when the datetime carries no zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")


def _by_identifier(kind: str, system: str, value: str, display: str | None = None) -> Json:
    """A logical reference: a resource known by a business identifier."""
    ref: Json = {"type": kind, "identifier": {"system": system, "value": value}}
    if display:
        ref["display"] = display
    return ref


def _reason(code: str) -> Json:
    """A reason code of our CodeSystem, French display."""
    return coding(systems.CS_REASON, code, messages.label(code))


def _refusal(code: str) -> Json:
    """Our extension saying why the requester cannot bill the payer in tiers payant."""
    coding = {"system": systems.CS_REASON, "code": code, "display": messages.label(code)}
    return {"url": systems.EXT_TIERS_PAYANT, "valueCoding": coding}


def _disposition(decision: EligibilityDecision) -> str:
    """The answer in French for the person at the desk: the reasons, most important first."""
    said = [messages.label(code) for code in decision.reasons]
    return " ; ".join(said) or labels.STATUS_LABELS[decision.status]


def _insurer(
    decision: EligibilityDecision, request: EligibilityRequestIn, ref: ReferenceData
) -> Json:
    """The payer that answers, known by its payer code; the request's insurer if none."""
    return _payer(decision.payer, request, ref)


def _payer(payer: str | None, request: EligibilityRequestIn, ref: ReferenceData) -> Json:
    """A payer known by its code; the request's insurer if none."""
    if payer is None:
        return request.insurer
    name = labels.payer_label(ref, payer)
    return _by_identifier("Organization", systems.PAYER_ID, payer, name)


def _plan(scheme: str, ref: ReferenceData) -> Json:
    """Coverage.class: the AMO scheme as the plan."""
    return {
        "type": coding(systems.HL7_COVERAGE_CLASS, "plan", "Plan"),
        "value": scheme,
        "name": labels.scheme_label(ref, scheme),
    }


def _candidates(
    decision: EligibilityDecision, request: EligibilityRequestIn, ref: ReferenceData
) -> tuple[list[Json], list[Json]]:
    """A double affiliation's affiliations for the payer's review: a contained Coverage and
    an insurance not in force for each."""
    contained: list[Json] = []
    insurance: list[Json] = []
    for number, candidate in enumerate(decision.candidates, 1):
        local = f"{CANDIDATE_ID}-{number}"
        contained.append(
            {
                "resourceType": "Coverage",
                "id": local,
                "status": "active",
                "beneficiary": request.patient,
                "payor": [_payer(candidate.payer, request, ref)],
                "class": [_plan(candidate.scheme, ref)],
                "period": {"start": candidate.since.isoformat()},
            }
        )
        insurance.append(
            {
                "extension": [_status_extension(decision.status)],
                "coverage": {"reference": f"#{local}"},
                "inforce": False,
            }
        )
    return contained, insurance


def _named(candidate: Candidate, ref: ReferenceData) -> str:
    """A candidate as the disposition says it: the scheme's label and the payer's code."""
    payer = f" ({candidate.payer})" if candidate.payer else ""
    return f"{labels.scheme_label(ref, candidate.scheme)}{payer}"


def _coverage(
    decision: EligibilityDecision, request: EligibilityRequestIn, ref: ReferenceData
) -> Json:
    """The contained Coverage: who is covered, by which payer, under which scheme, when."""
    scheme = decision.scheme or ""
    coverage: Json = {
        "resourceType": "Coverage",
        "id": COVERAGE_ID,
        "status": "active",
        "beneficiary": request.patient,
        "payor": [_insurer(decision, request, ref)],
        "class": [_plan(scheme, ref)],
    }
    if decision.role is not None:
        code = RELATIONSHIPS[decision.role]
        coverage["relationship"] = {
            "coding": [{"system": systems.HL7_SUBSCRIBER_RELATIONSHIP, "code": code}]
        }
    period = _period(decision)
    if period:
        coverage["period"] = period
    return coverage


def _period(decision: EligibilityDecision) -> Json:
    """The coverage period as far as it is known."""
    period: Json = {}
    if decision.coverage_start is not None:
        period["start"] = decision.coverage_start.isoformat()
    if decision.coverage_end is not None:
        period["end"] = decision.coverage_end.isoformat()
    return period


def _insurance(
    outcome: EligibilityOutcome, request: EligibilityRequestIn, ref: ReferenceData
) -> Json:
    """insurance[0]: status extension, in force or not, period and the benefit items."""
    decision = outcome.decision
    status = decision.status
    insurance: Json = {
        "extension": [_status_extension(status)],
        "coverage": {"reference": f"#{COVERAGE_ID}"},
        "inforce": status.in_force,
    }
    period = _period(decision)
    if period:
        insurance["benefitPeriod"] = period
    items = benefit_items(outcome, request, ref)
    if items:
        insurance["item"] = items
    return insurance


def _status_extension(status: EligibilityStatus) -> Json:
    """Our eligibility-status extension on an insurance."""
    return {
        "url": systems.EXT_ELIGIBILITY_STATUS,
        "valueCoding": {
            "system": systems.CS_ELIGIBILITY_STATUS,
            "code": status.value,
            "display": labels.STATUS_LABELS[status],
        },
    }
