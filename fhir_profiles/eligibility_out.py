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
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Final

from domain.eligibility import (
    Benefit,
    EligibilityDecision,
    EligibilityOutcome,
    EligibilityStatus,
    ItemDecision,
    Purpose,
)
from domain.members import Role
from domain.reference import ReferenceData
from fhir_profiles import labels, messages, systems
from fhir_profiles.eligibility_in import EligibilityRequestIn
from fhir_profiles.items import GeneralItem

Json = dict[str, Any]
COVERAGE_ID: Final = "coverage"
UNRECOGNISED: Final = "categorie-non-reconnue"  # reason: a category answered in general
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
    if request.identifiers:
        body["identifier"] = list(request.identifiers)
    if decision.status is not EligibilityStatus.NOT_FOUND and decision.payer and decision.scheme:
        body["contained"] = [_coverage(decision, request, names)]
        body["insurance"] = [_insurance(outcome, request, names)]
        if _unrecognised(request):
            body["disposition"] += f" ; {messages.label(UNRECOGNISED)}"
    else:
        # No coverage to describe (not found, or two affiliations to resolve): the reasons are
        # the answer, as coded errors a client can act on.
        body["outcome"] = "error"
        fallback = ("membre-introuvable",) if decision.status is EligibilityStatus.NOT_FOUND else ()
        body["error"] = [{"code": _reason(c)} for c in decision.reasons or fallback]
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


def _coding(system: str, code: str, display: str) -> Json:
    """A CodeableConcept with one coding (no display when none is known)."""
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _reason(code: str) -> Json:
    """A reason code of our CodeSystem, French display."""
    return _coding(systems.CS_REASON, code, messages.label(code))


def _disposition(decision: EligibilityDecision) -> str:
    """The answer in French for the person at the desk: the reasons, most important first."""
    said = [messages.label(code) for code in decision.reasons]
    return " ; ".join(said) or labels.STATUS_LABELS[decision.status]


def _insurer(
    decision: EligibilityDecision, request: EligibilityRequestIn, ref: ReferenceData
) -> Json:
    """The payer that answers, known by its payer code; the request's insurer if none."""
    if decision.payer is None:
        return request.insurer
    name = labels.payer_label(ref, decision.payer)
    return _by_identifier("Organization", systems.PAYER_ID, decision.payer, name)


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
        "class": [
            {
                "type": _coding(systems.HL7_COVERAGE_CLASS, "plan", "Plan"),
                "value": scheme,
                "name": labels.scheme_label(ref, scheme),
            }
        ],
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
        "extension": [
            {
                "url": systems.EXT_ELIGIBILITY_STATUS,
                "valueCoding": {
                    "system": systems.CS_ELIGIBILITY_STATUS,
                    "code": status.value,
                    "display": labels.STATUS_LABELS[status],
                },
            }
        ],
        "coverage": {"reference": f"#{COVERAGE_ID}"},
        "inforce": status.in_force,
    }
    period = _period(decision)
    if period:
        insurance["benefitPeriod"] = period
    items = _items(outcome, request, ref)
    if items:
        insurance["item"] = items
    return insurance


def _items(
    outcome: EligibilityOutcome, request: EligibilityRequestIn, ref: ReferenceData
) -> list[Json]:
    """Category benefits (purpose benefits, or items answered in general), then the requested
    items in the order written."""
    purposes = request.command.purposes
    answers_items = bool(purposes & {Purpose.BENEFITS, Purpose.AUTH_REQUIREMENTS})
    found: list[Json] = []
    if Purpose.BENEFITS in purposes or (answers_items and request.general_items):
        found += [_category_item(b, ref) for b in outcome.decision.benefits]
    if answers_items:
        asked = [(d.item.sequence, _requested_item(d, request)) for d in outcome.items]
        asked += [(g.sequence, _general_item(g)) for g in _unrecognised(request)]
        found += [item for _, item in sorted(asked, key=lambda pair: pair[0]) if item]
    return found


def _unrecognised(request: EligibilityRequestIn) -> list[GeneralItem]:
    """The items whose category maps to none of ours."""
    return [g for g in request.general_items if not g.recognised]


def _general_item(item: GeneralItem) -> Json:
    """An unrecognised item, as written, told that the general benefits answer it."""
    if item.category is not None:
        said: Json = {"category": item.category}
    elif item.product is not None:
        said = {"productOrService": item.product}
    else:
        return {}  # R4 ces-1: an item names a category or a product; the disposition tells it
    return {**said, "description": messages.label(UNRECOGNISED)}


def _category_item(benefit: Benefit, ref: ReferenceData) -> Json:
    """What the RO pays for a care category."""
    return _category_item_with(benefit, labels.category_label(ref, benefit.category))


@lru_cache(maxsize=4096)
def _category_item_with(benefit: Benefit, label: str) -> Json:
    # Every answer of a scheme lists the same few benefits: built once, shared read-only
    # (answers are serialised, never modified).
    return {
        "category": _coding(systems.CS_CARE_CATEGORY, benefit.category, label),
        "benefit": _benefits(benefit.rate, benefit.base, benefit.ald_exempt),
    }


def _requested_item(decision: ItemDecision, request: EligibilityRequestIn) -> Json:
    """The answer for one requested item (R4 ces-1: a category or a product, not both)."""
    echo = next((e for e in request.items if e.item.sequence == decision.item.sequence), None)
    item: Json = {}
    if echo is not None and echo.product is not None and decision.item.code is not None:
        item["productOrService"] = echo.product
    elif echo is not None:
        item["category"] = echo.category
    else:
        item["category"] = _coding(systems.CS_CARE_CATEGORY, decision.item.category, "")
    item["excluded"] = not decision.covered
    if decision.reasons:
        item["description"] = " ; ".join(messages.label(c) for c in decision.reasons)
    if decision.covered:
        item["benefit"] = _benefits(decision.rate, decision.base, decision.ald_exempt)
    item["authorizationRequired"] = decision.needs_prior_authorization
    return item


def _benefits(rate: Decimal, base: str | None, ald_exempt: bool) -> list[Json]:
    """The benefit lines: the RO rate in percent, its base, the ALD exemption if any."""
    found = [_benefit(systems.BENEFIT_RATE, "allowedUnsignedInt", _percent(rate))]
    if base:
        found.append(_benefit(systems.BENEFIT_BASE, "allowedString", base))
    if ald_exempt:
        found.append(_benefit(systems.BENEFIT_ALD_EXEMPTION, "allowedUnsignedInt", 100))
    return found


def _benefit(kind: str, element: str, value: int | str) -> Json:
    """One benefit line of our benefit-type CodeSystem."""
    label = labels.BENEFIT_TYPE_LABELS[kind]
    return {"type": _coding(systems.CS_BENEFIT_TYPE, kind, label), element: value}


def _percent(rate: Decimal) -> int:
    """A 0..1 rate as a whole percentage (rates are published as whole percents)."""
    return int((rate * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
