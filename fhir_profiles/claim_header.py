"""What every Claim reader checks and reads the same way, whatever its `use`: the elements R4
defines and no other, those it requires, the status, the use the reader handles, the patient's
identifiers and the insurer to echo.

The prior-authorization reader (`fhir_profiles.claim_in`) and the claim reader
(`fhir_profiles.claim_billing_in`) differ only in the uses they accept and in what they make
of the items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, TypeVar

from domain.errors import DomainError, InvalidRequest, MalformedRequest
from domain.members import PersonIdentifier
from domain.reference import ReferenceData
from fhir_profiles import bindings, bundle, patients, references, structure
from fhir_profiles.bundle import Resources
from fhir_profiles.limits import MAX_ENTRIES, MAX_IDENTIFIERS

Json = dict[str, Any]
REQUEST: Final = "Claim"
# The elements of an R4 Claim (anything else is refused).
ELEMENTS: Final = frozenset(
    {
        "resourceType", "id", "meta", "implicitRules", "language", "text", "contained",
        "extension", "modifierExtension", "identifier", "status", "type", "subType", "use",
        "patient", "billablePeriod", "created", "enterer", "insurer", "provider", "priority",
        "fundsReserve", "related", "prescription", "originalPrescription", "payee", "referral",
        "facility", "careTeam", "supportingInfo", "diagnosis", "procedure", "insurance",
        "accident", "item", "total",
    }
)  # fmt: skip
T = TypeVar("T")
_MALFORMED: Final = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)


@dataclass(frozen=True, slots=True)
class Parties:
    """Who the Claim is about and whom it is filed with, as read and as echoed."""

    persons: tuple[PersonIdentifier, ...]
    patient: Json  # the patient reference to echo (logical when it pointed inside the request)
    insurer: Json | None  # the insurer reference to echo, same rule; None when unnamed
    ctx: patients.Context


def guarded(read: Callable[[], T]) -> T:
    """Run a reader so that only domain errors come out: anything else the body's shape
    caused is a MalformedRequest."""
    try:
        return read()
    except DomainError:
        raise
    except _MALFORMED as exc:
        raise MalformedRequest(
            "La ressource n'a pas la structure d'une Claim R4", code="ressource-invalide"
        ) from exc


def check_shape(claim: Json, uses: frozenset[str], refusal: str) -> str:
    """Only R4's elements; those it requires present; active; a use of `uses` (else
    `usage-non-pris-en-charge` with `refusal` as its detail). Returns the use."""
    structure.only_known(claim, ELEMENTS, REQUEST)
    _check_status(claim)
    use = _check_use(claim, uses, refusal)
    for name in ("type", "patient", "provider", "priority"):
        structure.required_object(claim, name, REQUEST)
    structure.reference(claim["patient"], f"{REQUEST}.patient")
    structure.reference(claim["provider"], f"{REQUEST}.provider")
    structure.date_time(structure.required_string(claim, "created", REQUEST), f"{REQUEST}.created")
    if not structure.objects(claim, "insurance", REQUEST, limit=MAX_ENTRIES):
        raise structure.invalid("L'élément « insurance » est obligatoire", f"{REQUEST}.insurance")
    for i, value in enumerate(structure.array(claim, "identifier", REQUEST, limit=MAX_IDENTIFIERS)):
        structure.identifier(value, f"{REQUEST}.identifier[{i}]")
    return use


def parties(claim: Json, resources: Resources, ref: ReferenceData, day: date) -> Parties:
    """The patient's identifiers of our systems and the references to echo."""
    ctx = patients.Context(resources, bundle.contained_by_id(claim, REQUEST), ref, day)
    persons = patients.identifiers(claim, ctx)
    patient = references.patient(claim["patient"], persons[0])
    return Parties(persons, patient, _insurer(claim, ctx), ctx)


def _insurer(claim: Json, ctx: patients.Context) -> Json | None:
    """The insurer reference to echo (0..1 in a Claim): as written, or made logical."""
    path = f"{REQUEST}.insurer"
    written = structure.optional_object(claim, "insurer", REQUEST)
    if written is None:
        return None
    return references.organization(structure.reference(written, path), path, ctx)


def _check_status(claim: Json) -> None:
    """The status is in fm-status, and only an active request asks for an answer."""
    path = f"{REQUEST}.status"
    status = structure.required_string(claim, "status", REQUEST)
    if bindings.check(status, bindings.FM_STATUS, path) != "active":
        raise InvalidRequest("Seule une demande au statut « active » est traitée", expression=path)


def _check_use(claim: Json, uses: frozenset[str], refusal: str) -> str:
    """The use is in claim-use, and one this reader handles."""
    path = f"{REQUEST}.use"
    use = bindings.check(structure.required_string(claim, "use", REQUEST), bindings.CLAIM_USE, path)
    if use not in uses:
        raise InvalidRequest(
            f"Usage « {use} » non pris en charge ici : {refusal}",
            code="usage-non-pris-en-charge",
            expression=path,
        )
    return str(use)
