"""A claim line's prescription: what identifies it, and what it allows to dispense.

A pharmacy names the prescription it dispenses in `Claim.prescription` (R4: a Reference to a
MedicationRequest, DeviceRequest or VisionPrescription; CARIN's real-time pharmacy benefit
check requires it) or, per line, in our item extension `item-prescription`. When the reference
points inside the request (a contained resource, `#id`, or a Bundle entry) to a
MedicationRequest, that request tells:

- its identity, for the checks against the patient's history (the same prescription served at
  another pharmacy): the reference's identifier, else the MedicationRequest's `groupIdentifier`
  (the prescription as written on paper, which every pharmacy reads the same), else its first
  `identifier`; a reference outside the request is its own identity. A contained resource's
  local id identifies nothing beyond its request: without an identifier, none is kept.
- the quantity prescribed for one dispensing: `dispenseRequest.quantity`, in boxes like the
  claimed quantity (no coded unit, or UCUM `{box}`); a quantity coded in another unit (tablets,
  millilitres) cannot be compared with boxes and is refused (422 `quantite-invalide`).
- the box prescribed, when `medicationCodeableConcept` carries a GTIN: the quantity bounds the
  lines of that box or of a box of its generic group (a substitution); a line of another drug
  is not bounded by it (a Claim's single prescription shared by several drugs).

A line may instead say the quantity prescribed itself, in our item extension
`item-prescribed-quantity` (valuePositiveInt), which wins: for software that keeps the paper
prescription's count but sends no MedicationRequest, and for non-drug lines (sessions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from domain.claims import CodeKind
from domain.errors import InvalidRequest
from domain.reference import ReferenceData
from fhir_profiles import claim_items, patients, references, structure, systems
from fhir_profiles.limits import MAX_IDENTIFIERS

Json = dict[str, Any]
MEDICATION_REQUEST: Final = "MedicationRequest"
BOX: Final = "{box}"  # UCUM annotation for a box, the unit a drug line is claimed in


@dataclass(frozen=True, slots=True)
class Prescription:
    """What a line's prescription says, as far as the request carries it."""

    key: str | None  # what identifies it across claims, if anything does
    medication: str | None = None  # the EAN-13 prescribed, when coded by GTIN
    quantity: int | None = None  # boxes for one dispensing

    def bounds(self, kind: CodeKind, code: str, ref: ReferenceData, day: date) -> int | None:
        """The quantity it allows a line of that code, None when it says none for it."""
        if kind is not CodeKind.DRUG or self.quantity is None:
            return None
        if self.medication is None or self.medication == code:
            return self.quantity
        prescribed, dispensed = ref.drug(self.medication, day), ref.drug(code, day)
        if prescribed is None or dispensed is None:
            return None
        return self.quantity if prescribed.generic_group == dispensed.generic_group else None


def read(value: Any, path: str, ctx: patients.Context) -> Prescription | None:
    """The prescription a Reference names (None when it names nothing)."""
    if value is None:
        return None
    written = structure.reference(value, path)
    target = ctx.resources.resolve(written, ctx.contained)
    request = target if target and target.get("resourceType") == MEDICATION_REQUEST else None
    key = _written_key(written)
    if request is None:
        return Prescription(key)
    rpath = f"{path}.resolve()"
    return Prescription(
        key or _request_key(request, rpath),
        _medication(request, rpath),
        _quantity(request, rpath),
    )


def _written_key(written: Json) -> str | None:
    """The reference's identifier, else its literal reference when it points outside."""
    identifier = written.get("identifier")
    if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
        return str(identifier["value"])
    literal = written.get("reference")
    if isinstance(literal, str) and not references.internal(written):
        return literal
    return None


def _request_key(request: Json, path: str) -> str | None:
    """The prescription's groupIdentifier, else the MedicationRequest's first identifier."""
    group = structure.optional_object(request, "groupIdentifier", path)
    if group is not None:
        value = structure.identifier(group, f"{path}.groupIdentifier").get("value")
        if value is not None:
            return str(value)
    for i, ident in enumerate(structure.array(request, "identifier", path, limit=MAX_IDENTIFIERS)):
        value = structure.identifier(ident, f"{path}.identifier[{i}]").get("value")
        if value is not None:
            return str(value)
    return None


def _medication(request: Json, path: str) -> str | None:
    """The EAN-13 of the box prescribed, when the medication is coded by GTIN."""
    mpath = f"{path}.medicationCodeableConcept"
    concept = structure.optional_object(request, "medicationCodeableConcept", path)
    if concept is None:
        return None
    for j, coding in enumerate(structure.codings(concept, mpath)):
        code = coding.get("code")
        if coding.get("system") in systems.GTIN_SYSTEMS and code is not None:
            return claim_items.ean13(str(code), f"{mpath}.coding[{j}].code")
    return None


def _quantity(request: Json, path: str) -> int | None:
    """dispenseRequest.quantity in boxes, if written."""
    dpath = f"{path}.dispenseRequest"
    dispense = structure.optional_object(request, "dispenseRequest", path)
    quantity = None if dispense is None else structure.optional_object(dispense, "quantity", dpath)
    if dispense is None or quantity is None or quantity.get("value") is None:
        return None
    qpath = f"{dpath}.quantity"
    code = structure.optional_string(quantity, "code", qpath)
    system = structure.optional_string(quantity, "system", qpath)
    if code is not None and (code, system) != (BOX, systems.UCUM):
        raise InvalidRequest(
            f"Quantité prescrite en « {code[:16]} » : elle s'exprime en boîtes, comme la "
            f"quantité facturée (sans unité codée, ou {BOX} de UCUM)",
            code="quantite-invalide",
            expression=f"{qpath}.code",
        )
    return claim_items.quantity(dispense, dpath)
