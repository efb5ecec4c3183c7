"""Claim with use = preauthorization (bare, or in a collection, document or message Bundle)
-> RequestPriorAuth.

What is read, and where:

- the kind of prise en charge: `subType` coded in our CodeSystem pa-type; else told by
  `type` (claim-type `pharmacy`: a costly drug, `institutional`: a hospitalisation); else the
  request is refused (422 `type-prise-en-charge-requis`) asking for the subType;
- the patient: an identifier of our systems on the patient reference, the Patient it resolves
  to, or its Coverage (`fhir_profiles.patients`);
- the lines: `item` (`fhir_profiles.claim_items`), foreign-coded items kept apart;
- the date of care: the first an item names, else `billablePeriod.start`, else today;
- urgency: `priority` = `stat`;
- the prescriber's specialty: the care team (`fhir_profiles.care_team`).

Structure is checked as for eligibility: the elements R4 defines and no other, those it
requires present, `status` active. `use` must be `preauthorization`: a `claim` is the claims
exchange's, refused here with `usage-non-pris-en-charge`. A malformed request is a
MalformedRequest (400), a well-formed one the rules refuse an InvalidRequest or UnknownCode
(422), always with the FHIRPath of the element at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

from domain.errors import DomainError, InvalidRequest, MalformedRequest, UnknownCode
from domain.reference import ReferenceData
from domain.rules.prior_auth import PaRequest
from domain.services.prior_auth import RequestPriorAuth
from fhir_profiles import (
    bindings,
    bundle,
    care_team,
    claim_items,
    envelope,
    patients,
    references,
    structure,
    systems,
)
from fhir_profiles.bundle import Resources
from fhir_profiles.envelope import MessageFacts
from fhir_profiles.limits import MAX_ENTRIES, MAX_IDENTIFIERS

Json = dict[str, Any]
REQUEST: Final = "Claim"
USE: Final = "preauthorization"
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
# The kind of prise en charge a claim type tells by itself (claim-type, extensible binding).
KIND_OF_TYPE: Final[dict[str, str]] = {
    "pharmacy": "costly-drug",
    "institutional": "hospitalisation",
}
URGENT: Final = "stat"  # processpriority: "immediately in real time"


@dataclass(frozen=True, slots=True)
class ClaimRequestIn:
    """A checked request: the domain command and what the stored Claim and answer echo."""

    command: RequestPriorAuth
    resource: Json  # the Claim as received
    patient: Json  # the patient reference to echo (logical when it pointed inside the request)
    insurer: Json | None  # the insurer reference to echo, same rule; None when unnamed
    envelope: str = "resource"  # how it came: "resource", "collection", "document", "message"
    message: MessageFacts | None = None  # for a message: what its answer needs
    ref: ReferenceData | None = field(default=None, compare=False, repr=False)


def to_domain(body: Json, *, ref: ReferenceData, today: date) -> ClaimRequestIn:
    """Check a request and turn it into the domain command; only domain errors come out."""
    try:
        return _to_domain(body, ref, today)
    except DomainError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as exc:
        raise MalformedRequest(
            "La ressource n'a pas la structure d'une Claim R4", code="ressource-invalide"
        ) from exc


def patient_reference(request: ClaimRequestIn) -> str | None:
    """The patient's literal reference as written ("Patient/12"), None when it had none."""
    value = request.patient.get("reference")
    return value if isinstance(value, str) else None


def _to_domain(body: Json, ref: ReferenceData, today: date) -> ClaimRequestIn:
    """Find the Claim in its envelope, then map it."""
    found = envelope.read(body, REQUEST)
    parsed = _claim(found.request, found.resources, ref, today)
    return replace(parsed, envelope=found.kind, message=found.message)


def _claim(claim: Json, resources: Resources, ref: ReferenceData, today: date) -> ClaimRequestIn:
    """Map one Claim, checking each element it reads."""
    _check_shape(claim)
    day = claim_items.date_of_care(claim, today)
    ctx = patients.Context(resources, bundle.contained_by_id(claim, REQUEST), ref, day)
    persons = patients.identifiers(claim, ctx)
    asked = claim_items.read(claim, ref, day)
    request = PaRequest(
        pa_type=_pa_type(claim, ref, day),
        lines=asked.lines,
        date_of_care=day,
        prescriber_specialty=care_team.specialty(claim, ctx),
        urgent=_urgent(claim),
    )
    return ClaimRequestIn(
        command=RequestPriorAuth(persons, request, foreign=asked.foreign),
        resource=claim,
        patient=references.patient(claim["patient"], persons[0]),
        insurer=_insurer(claim, ctx),
        ref=ref,
    )


def _insurer(claim: Json, ctx: patients.Context) -> Json | None:
    """The insurer reference to echo (0..1 in a Claim): as written, or made logical."""
    path = f"{REQUEST}.insurer"
    written = structure.optional_object(claim, "insurer", REQUEST)
    if written is None:
        return None
    return references.organization(structure.reference(written, path), path, ctx)


def _check_shape(claim: Json) -> None:
    """Only R4's elements; those it requires present; active; a preauthorization."""
    structure.only_known(claim, ELEMENTS, REQUEST)
    _check_status(claim)
    _check_use(claim)
    for name in ("type", "patient", "provider", "priority"):
        structure.required_object(claim, name, REQUEST)
    structure.reference(claim["patient"], f"{REQUEST}.patient")
    structure.reference(claim["provider"], f"{REQUEST}.provider")
    structure.date_time(structure.required_string(claim, "created", REQUEST), f"{REQUEST}.created")
    if not structure.objects(claim, "insurance", REQUEST, limit=MAX_ENTRIES):
        raise structure.invalid("L'élément « insurance » est obligatoire", f"{REQUEST}.insurance")
    for i, value in enumerate(structure.array(claim, "identifier", REQUEST, limit=MAX_IDENTIFIERS)):
        structure.identifier(value, f"{REQUEST}.identifier[{i}]")


def _check_status(claim: Json) -> None:
    """The status is in fm-status, and only an active request asks for an answer."""
    path = f"{REQUEST}.status"
    status = structure.required_string(claim, "status", REQUEST)
    if bindings.check(status, bindings.FM_STATUS, path) != "active":
        raise InvalidRequest("Seule une demande au statut « active » est traitée", expression=path)


def _check_use(claim: Json) -> None:
    """The use is in claim-use, and only a preauthorization is handled here."""
    path = f"{REQUEST}.use"
    use = bindings.check(structure.required_string(claim, "use", REQUEST), bindings.CLAIM_USE, path)
    if use != USE:
        raise InvalidRequest(
            f"Usage « {use} » non pris en charge ici : ce point d'accès traite les demandes de "
            "prise en charge préalable (use = preauthorization)",
            code="usage-non-pris-en-charge",
            expression=path,
        )


def _pa_type(claim: Json, ref: ReferenceData, day: date) -> str:
    """The kind of prise en charge: our subType, else what the claim type tells."""
    path = f"{REQUEST}.subType"
    concept = structure.optional_object(claim, "subType", REQUEST)
    code = structure.code_in(concept, systems.CS_PA_TYPE, path)
    if code is None:
        kind = structure.code_in(claim["type"], systems.HL7_CLAIM_TYPE, f"{REQUEST}.type")
        code = KIND_OF_TYPE.get(kind or "")
        path = f"{REQUEST}.type"
    if code is None:
        raise InvalidRequest(
            "Le type de la demande ne dit pas quelle prise en charge est demandée : indiquez-la "
            f"dans Claim.subType, CodeSystem {systems.CS_PA_TYPE} (hospitalisation, "
            "costly-drug, device, ...)",
            code="type-prise-en-charge-requis",
            expression=f"{REQUEST}.subType",
        )
    if ref.pa_type(code, day) is None:
        raise UnknownCode(
            f"Type de prise en charge inconnu ou hors vigueur : « {code[:64]} »", expression=path
        )
    return code


def _urgent(claim: Json) -> bool:
    """Whether the care cannot wait for the payer's answer (priority stat)."""
    path = f"{REQUEST}.priority"
    return structure.code_in(claim["priority"], systems.HL7_PROCESS_PRIORITY, path) == URGENT
