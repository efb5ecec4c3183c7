"""CoverageEligibilityRequest (bare, or in a collection, document or message Bundle) ->
CheckEligibility."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

from domain.eligibility import CheckEligibility, Purpose
from domain.errors import DomainError, InvalidRequest, MalformedRequest
from domain.members import PersonIdentifier
from domain.reference import ReferenceData
from fhir_profiles import bindings, bundle, envelope, items, patients, references, structure
from fhir_profiles.bundle import Resources
from fhir_profiles.envelope import MessageFacts
from fhir_profiles.items import GeneralItem, ItemEcho
from fhir_profiles.limits import MAX_IDENTIFIERS

Json = dict[str, Any]
REQUEST: Final = "CoverageEligibilityRequest"
# The elements of an R4 CoverageEligibilityRequest (anything else is refused).
ELEMENTS: Final = frozenset(
    {
        "resourceType", "id", "meta", "implicitRules", "language", "text", "contained",
        "extension", "modifierExtension", "identifier", "status", "priority", "purpose",
        "patient", "servicedDate", "servicedPeriod", "created", "enterer", "provider",
        "insurer", "facility", "supportingInfo", "insurance", "item",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class EligibilityRequestIn:
    """A checked request: the domain command and what the response must echo."""

    command: CheckEligibility
    resource: Json  # the CoverageEligibilityRequest as received
    patient: Json  # the patient reference to echo (logical when it pointed inside the request)
    insurer: Json  # the insurer reference to echo, same rule
    purposes: tuple[str, ...]  # in the order written
    identifiers: tuple[Json, ...]  # the request's business identifiers
    created: str
    items: tuple[ItemEcho, ...] = ()  # decided for a care category, in the command
    general_items: tuple[GeneralItem, ...] = ()  # answered with the general benefits
    envelope: str = "resource"  # how it came: "resource", "collection", "document", "message"
    message: MessageFacts | None = None  # for a message: what its answer needs
    ref: ReferenceData | None = field(default=None, compare=False, repr=False)


def to_domain(body: Json, *, ref: ReferenceData, today: date) -> EligibilityRequestIn:
    """Check a request and turn it into the domain command; only domain errors come out."""
    try:
        return _to_domain(body, ref, today)
    except DomainError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as exc:
        raise MalformedRequest(
            "La ressource n'a pas la structure d'une CoverageEligibilityRequest R4",
            code="ressource-invalide",
        ) from exc


def patient_reference(request: EligibilityRequestIn) -> str | None:
    """The patient's literal reference as written ("Patient/12"), None when it had none."""
    value = request.patient.get("reference")
    return value if isinstance(value, str) else None


def _to_domain(body: Json, ref: ReferenceData, today: date) -> EligibilityRequestIn:
    """Find the request in its envelope, then map it."""
    found = envelope.read(body, REQUEST)
    parsed = _request(found.request, found.resources, ref, today)
    return replace(parsed, envelope=found.kind, message=found.message)


def _request(
    request: Json, resources: Resources, ref: ReferenceData, today: date
) -> EligibilityRequestIn:
    """Map one CoverageEligibilityRequest, checking each element it reads."""
    structure.only_known(request, ELEMENTS, REQUEST)
    _check_status(request)
    purposes = _purposes(request)
    created = structure.required_string(request, "created", REQUEST)
    structure.date_time(created, f"{REQUEST}.created")
    day = _date_of_care(request, today)
    ctx = patients.Context(resources, bundle.contained_by_id(request, REQUEST), ref, day)
    persons = patients.identifiers(request, ctx)
    asked = items.requested(request, ref, day)
    command = CheckEligibility(
        identifiers=persons,
        date_of_care=day,
        purposes=frozenset(Purpose(p) for p in purposes),
        items=tuple(a.item for a in asked.decided),
    )
    return EligibilityRequestIn(
        command=command,
        resource=request,
        patient=_patient_echo(request, persons[0]),
        insurer=_insurer_echo(request, ctx),
        purposes=purposes,
        identifiers=_business_identifiers(request),
        created=created,
        items=asked.decided,
        general_items=asked.general,
        ref=ref,
    )


def _check_status(request: Json) -> None:
    """The status is in fm-status, and only an active request asks for an answer."""
    path = f"{REQUEST}.status"
    status = structure.required_string(request, "status", REQUEST)
    if bindings.check(status, bindings.FM_STATUS, path) != "active":
        raise InvalidRequest("Seule une demande au statut « active » est traitée", expression=path)


def _purposes(request: Json) -> tuple[str, ...]:
    """The purposes (1..*, each in eligibilityrequest-purpose), in order, without repeats."""
    path = f"{REQUEST}.purpose"
    values = structure.array(request, "purpose", REQUEST, limit=MAX_IDENTIFIERS)
    if not values:
        raise structure.invalid("L'élément « purpose » est obligatoire", path)
    found: list[str] = []
    for i, value in enumerate(values):
        code = structure.as_string(value, f"{path}[{i}]")
        if bindings.check(code, bindings.ELIGIBILITY_PURPOSE, f"{path}[{i}]") not in found:
            found.append(code)
    return tuple(found)


def _date_of_care(request: Json, today: date) -> date:
    """servicedDate, else servicedPeriod.start, else today."""
    if "servicedDate" in request and "servicedPeriod" in request:
        raise structure.invalid(
            "servicedDate et servicedPeriod sont exclusifs", f"{REQUEST}.serviced"
        )
    written = structure.optional_string(request, "servicedDate", REQUEST)
    path = f"{REQUEST}.servicedDate"
    period = structure.optional_object(request, "servicedPeriod", REQUEST)
    if period is not None:
        path = f"{REQUEST}.servicedPeriod.start"
        start = structure.optional_string(period, "start", f"{REQUEST}.servicedPeriod")
        written = None if start is None else structure.date_time(start, path)[:10]
    return today if written is None else structure.full_date(written, path)


def _patient_echo(request: Json, first: PersonIdentifier) -> Json:
    """The patient reference as written, or a logical one when it pointed inside the request."""
    return references.patient(request["patient"], first)


def _insurer_echo(request: Json, ctx: patients.Context) -> Json:
    """The insurer reference as written, or the resolved Organization's identifier."""
    path = f"{REQUEST}.insurer"
    written = structure.reference(request.get("insurer"), path)
    return references.organization(written, path, ctx) or {
        "display": "Assurance maladie obligatoire"
    }


def _business_identifiers(request: Json) -> tuple[Json, ...]:
    """The request's own identifiers, checked."""
    values = structure.array(request, "identifier", REQUEST, limit=MAX_IDENTIFIERS)
    return tuple(
        structure.identifier(v, f"{REQUEST}.identifier[{i}]") for i, v in enumerate(values)
    )
