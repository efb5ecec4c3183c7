"""The benefit items of a CoverageEligibilityResponse's insurance: what the RO pays per care
category, and the answer for each requested item, built as plain dicts (see
`fhir_profiles.eligibility_out`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Final

from domain.eligibility import Benefit, EligibilityOutcome, ItemDecision, Purpose
from domain.reference import ReferenceData
from fhir_profiles import labels, messages, systems
from fhir_profiles.eligibility_in import EligibilityRequestIn
from fhir_profiles.items import GeneralItem

Json = dict[str, Any]
UNRECOGNISED: Final = "categorie-non-reconnue"  # reason: a category answered in general


def coding(system: str, code: str, display: str) -> Json:
    """A CodeableConcept with one coding (no display when none is known)."""
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def benefit_items(
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
        asked += [(g.sequence, _general_item(g)) for g in unrecognised(request)]
        found += [item for _, item in sorted(asked, key=lambda pair: pair[0]) if item]
    return found


def unrecognised(request: EligibilityRequestIn) -> list[GeneralItem]:
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
        "category": coding(systems.CS_CARE_CATEGORY, benefit.category, label),
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
        item["category"] = coding(systems.CS_CARE_CATEGORY, decision.item.category, "")
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
    return {"type": coding(systems.CS_BENEFIT_TYPE, kind, label), element: value}


def _percent(rate: Decimal) -> int:
    """A 0..1 rate as a whole percentage (rates are published as whole percents)."""
    return int((rate * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
