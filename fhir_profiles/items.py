"""The items of an eligibility request: care category, product code, linked ALD."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from domain.eligibility import RequestedItem
from domain.errors import InvalidRequest, UnknownCode
from domain.reference import ReferenceData
from fhir_profiles import labels, structure, systems

Json = dict[str, Any]
REQUEST: Final = "CoverageEligibilityRequest"

# Product code systems that tell the category by themselves: a GTIN (EAN-13) is a drug.
PRODUCT_CATEGORIES: Final[dict[str, str]] = {
    "https://www.gs1.org/gtin": "pharmacy",
    "urn:oid:1.3.160": "pharmacy",  # GTIN written as an OID system (GS1 root OID)
}


@dataclass(frozen=True, slots=True)
class ItemEcho:
    """One requested item: its domain form and what the response repeats of it."""

    item: RequestedItem
    category: Json  # CodeableConcept in our care-category system
    product: Json | None  # productOrService as written


def requested(request: Json, ref: ReferenceData, day: date) -> tuple[ItemEcho, ...]:
    """Every item of the request, numbered from 1 in the order written."""
    known = labels.categories(ref, day)
    found = structure.objects(request, "item", REQUEST)
    return tuple(_item(item, i, known, ref, day) for i, item in enumerate(found))


def _item(item: Json, i: int, known: dict[str, str], ref: ReferenceData, day: date) -> ItemEcho:
    """One item, its category checked against the categories in force."""
    path = f"{REQUEST}.item[{i}]"
    product = structure.optional_object(item, "productOrService", path)
    category = _category(item, product, path)
    if category not in known:
        raise UnknownCode(
            f"Catégorie de soins inconnue : « {category[:64]} »", expression=f"{path}.category"
        )
    requested_item = RequestedItem(
        category=category,
        code=_product_code(product, f"{path}.productOrService"),
        ald_condition=_ald(item, path, ref, day),
        sequence=i + 1,
    )
    concept = {"coding": [{"system": systems.CS_CARE_CATEGORY, "code": category}]}
    concept["coding"][0]["display"] = known[category]
    return ItemEcho(requested_item, concept, product)


def _category(item: Json, product: Json | None, path: str) -> str:
    """The care category: item.category in our system, else told by productOrService."""
    concept = structure.optional_object(item, "category", path)
    found = structure.code_in(concept, systems.CS_CARE_CATEGORY, f"{path}.category")
    found = found or structure.code_in(
        product, systems.CS_CARE_CATEGORY, f"{path}.productOrService"
    )
    for coding in structure.codings(product, f"{path}.productOrService") if product else []:
        found = found or PRODUCT_CATEGORIES.get(str(coding.get("system")))
    if found is None:
        raise InvalidRequest(
            f"Catégorie de soins requise : item.category codé dans {systems.CS_CARE_CATEGORY}",
            expression=f"{path}.category",
        )
    return found


def _product_code(product: Json | None, path: str) -> str | None:
    """The act, drug or device code: the first coding that is not a care category."""
    for coding in structure.codings(product, path) if product else []:
        code = coding.get("code")
        if coding.get("system") != systems.CS_CARE_CATEGORY and code is not None:
            return str(code)
    return None


def _ald(item: Json, path: str, ref: ReferenceData, day: date) -> str | None:
    """The ALD/ALC the item is declared linked to, from a diagnosis in our ALD system."""
    for j, diagnosis in enumerate(structure.objects(item, "diagnosis", path)):
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
