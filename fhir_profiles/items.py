"""The items of an eligibility request: care category, product code, linked ALD.

The category is read, in this order, from item.category in our care-category system, from
productOrService (our system, or a code system that tells the category, such as a GTIN), then
from item.category in a foreign system through the published mapping (`categories`). An item
whose category asks for the whole plan, or maps to none of ours in force, is not refused: it
is answered with the plan's general benefits (`GeneralItem`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from domain.eligibility import RequestedItem
from domain.errors import UnknownCode
from domain.reference import ReferenceData
from fhir_profiles import categories, labels, structure, systems
from fhir_profiles.limits import MAX_ITEMS

Json = dict[str, Any]
REQUEST: Final = "CoverageEligibilityRequest"

# Product code systems that tell the category by themselves: a GTIN (EAN-13) is a drug.
PRODUCT_CATEGORIES: Final[dict[str, str]] = {
    "https://www.gs1.org/gtin": "pharmacy",
    "urn:oid:1.3.160": "pharmacy",  # GTIN written as an OID system (GS1 root OID)
}


@dataclass(frozen=True, slots=True)
class ItemEcho:
    """One item decided for a care category: its domain form and what the response repeats."""

    item: RequestedItem
    category: Json  # CodeableConcept: our care category first, then the client's codings
    product: Json | None  # productOrService as written


@dataclass(frozen=True, slots=True)
class GeneralItem:
    """An item answered with the plan's general benefits rather than one category's."""

    sequence: int  # its place in the request, from 1
    category: Json | None  # item.category as written
    product: Json | None  # productOrService as written
    recognised: bool  # True: it asks for the whole plan; False: its category maps to none


@dataclass(frozen=True, slots=True)
class Items:
    """The request's items: those decided per category, those answered in general."""

    decided: tuple[ItemEcho, ...] = ()
    general: tuple[GeneralItem, ...] = ()


def requested(request: Json, ref: ReferenceData, day: date) -> Items:
    """Every item of the request, numbered from 1 in the order written."""
    known = labels.categories(ref, day)
    found = [
        _item(item, i, known, ref, day)
        for i, item in enumerate(structure.objects(request, "item", REQUEST, limit=MAX_ITEMS))
    ]
    return Items(
        decided=tuple(f for f in found if isinstance(f, ItemEcho)),
        general=tuple(f for f in found if isinstance(f, GeneralItem)),
    )


def _item(
    item: Json, i: int, known: dict[str, str], ref: ReferenceData, day: date
) -> ItemEcho | GeneralItem:
    """One item: decided for its care category, or answered with the general benefits."""
    path = f"{REQUEST}.item[{i}]"
    product = structure.optional_object(item, "productOrService", path)
    concept = structure.optional_object(item, "category", path)
    category = _ours(concept, product, path)
    if category is not None and category not in known:
        raise UnknownCode(
            f"Catégorie de soins inconnue : « {category[:64]} »", expression=f"{path}.category"
        )
    if category is None:
        category = _mapped(concept, f"{path}.category")
        if category is None or (category != categories.PLAN and category not in known):
            return GeneralItem(i + 1, clean(concept), clean(product), recognised=False)
        if category == categories.PLAN:
            return GeneralItem(i + 1, clean(concept), clean(product), recognised=True)
    requested_item = RequestedItem(
        category=category,
        code=_product_code(product, f"{path}.productOrService"),
        ald_condition=_ald(item, path, ref, day),
        sequence=i + 1,
    )
    return ItemEcho(requested_item, _echo(category, known[category], concept), product)


def _ours(concept: Json | None, product: Json | None, path: str) -> str | None:
    """The care category in our system, or told by productOrService; None when neither."""
    found = structure.code_in(concept, systems.CS_CARE_CATEGORY, f"{path}.category")
    found = found or structure.code_in(
        product, systems.CS_CARE_CATEGORY, f"{path}.productOrService"
    )
    for coding in structure.codings(product, f"{path}.productOrService") if product else []:
        found = found or PRODUCT_CATEGORIES.get(str(coding.get("system")))
    return found


def _mapped(concept: Json | None, path: str) -> str | None:
    """The care category (or the whole plan) the first mapped foreign coding stands for."""
    for coding in structure.codings(concept, path) if concept else []:
        target = categories.target(coding.get("system"), coding.get("code"))
        if target is not None:
            return target
    return None


def _echo(category: str, label: str, concept: Json | None) -> Json:
    """The category the response repeats: ours, then the client's own codings and text."""
    ours = {"system": systems.CS_CARE_CATEGORY, "code": category, "display": label}
    theirs = clean(concept) or {}
    others = [c for c in theirs.get("coding", []) if c.get("system") != systems.CS_CARE_CATEGORY]
    return {**theirs, "coding": [ours, *others]}


def clean(concept: Json | None) -> Json | None:
    """A CodeableConcept reduced to its well-typed codings and text, safe to repeat."""
    if concept is None:
        return None
    keys = ("system", "version", "code", "display")
    codings = [
        {k: c[k] for k in keys if isinstance(c.get(k), str) and c[k].strip()}
        for c in concept.get("coding", [])
        if isinstance(c, dict)
    ]
    found: Json = {"coding": [c for c in codings if c]} if any(codings) else {}
    if isinstance(concept.get("text"), str) and concept["text"].strip():
        found["text"] = concept["text"]
    return found or None


def _product_code(product: Json | None, path: str) -> str | None:
    """The act, drug or device code: the first coding that is not a care category."""
    for coding in structure.codings(product, path) if product else []:
        code = coding.get("code")
        if coding.get("system") != systems.CS_CARE_CATEGORY and code is not None:
            return str(code)
    return None


def _ald(item: Json, path: str, ref: ReferenceData, day: date) -> str | None:
    """The ALD/ALC the item is declared linked to, from a diagnosis in our ALD system."""
    for j, diagnosis in enumerate(structure.objects(item, "diagnosis", path, limit=MAX_ITEMS)):
        dpath = f"{path}.diagnosis[{j}].diagnosisCodeableConcept"
        concept = structure.optional_object(
            diagnosis, "diagnosisCodeableConcept", f"{path}.diagnosis[{j}]"
        )
        code = structure.code_in(concept, systems.CS_ALD, dpath)
        if code is None:
            continue
        if ref.ald_condition(code, day) is None:
            raise UnknownCode(
                f"ALD/ALC inconnue ou hors vigueur : « {code[:64]} »", expression=dpath
            )
        return code
    return None
