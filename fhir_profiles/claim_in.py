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

from domain.errors import InvalidRequest, UnknownCode
from domain.reference import ReferenceData
from domain.rules.prior_auth import PaRequest
from domain.services.prior_auth import RequestPriorAuth
from fhir_profiles import (
    care_team,
    claim_header,
    claim_items,
    envelope,
    structure,
    systems,
)
from fhir_profiles.bundle import Resources
from fhir_profiles.envelope import MessageFacts

Json = dict[str, Any]
REQUEST: Final = claim_header.REQUEST
USE: Final = "preauthorization"
ELEMENTS: Final = claim_header.ELEMENTS
REFUSAL: Final = (
    "ce point d'accès traite les demandes de prise en charge préalable (use = preauthorization)"
)
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
    return claim_header.guarded(lambda: _to_domain(body, ref, today))


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
    claim_header.check_shape(claim, frozenset({USE}), REFUSAL)
    day = claim_items.date_of_care(claim, today)
    found = claim_header.parties(claim, resources, ref, day)
    asked = claim_items.read(claim, ref, day)
    request = PaRequest(
        pa_type=_pa_type(claim, ref, day),
        lines=asked.lines,
        date_of_care=day,
        prescriber_specialty=care_team.specialty(claim, found.ctx),
        urgent=_urgent(claim),
    )
    return ClaimRequestIn(
        command=RequestPriorAuth(found.persons, request, foreign=asked.foreign),
        resource=claim,
        patient=found.patient,
        insurer=found.insurer,
        ref=ref,
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
