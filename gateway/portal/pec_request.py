"""The provider's "ask a prise en charge" form: the same exchange as POST /fhir/Claim/$submit.

The form's fields become the Claim (use = preauthorization) a provider's software would send,
its documents joined as supportingInfo attachments checked by the API's own rules; the Claim
then goes through the route's own path (gateway.routes.prior_auth.ask: the API's reader and
use case) with the person's organization as the caller, under the Idempotency-Key the form
was given when it was shown: a double click or a reload asks once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from domain.accounts import Organization, StaffSession
from domain.errors import TooLarge
from domain.records import Answer
from domain.reference import ReferenceData
from domain.services.claims import ClaimPorts
from domain.services.prior_auth import PriorAuthPorts
from fhir_profiles import labels, systems
from gateway.auth import Caller
from gateway.portal import rights, uploads
from gateway.portal.catalogue import named
from gateway.routes.prior_auth import Asked, ask

LINES = 5  # rows of the form (no script adds more): a request rarely has more lines
GTIN = "https://www.gs1.org/gtin"
KINDS = rights.KINDS
# Claim.type (HL7 claim-type) for each kind of prise en charge; the kind itself is subType.
CLAIM_TYPES = {"costly-drug": "pharmacy", "dental-prosthesis": "oral", "device": "professional",
               "multi-session": "professional"}  # fmt: skip
INSTITUTIONAL = "institutional"  # stays, day hospital, dialysis, oncology
ATTACHED = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"


@dataclass(frozen=True, slots=True)
class LineAsked:
    """One row of the form, as typed."""

    code: str = ""
    quantity: str = ""
    amount: str = ""

    @property
    def empty(self) -> bool:
        """A row left blank, ignored."""
        return not (self.code.strip() or self.quantity.strip() or self.amount.strip())


@dataclass(frozen=True, slots=True)
class PecQuery:
    """What the person asks, as typed, and the Idempotency-Key the form was shown with."""

    kind: str = "IDCS"
    value: str = ""
    day: date = field(default_factory=date.today)
    pa_type: str = ""
    specialty: str = ""
    ald: str = ""
    urgent: bool = False
    lines: tuple[LineAsked, ...] = (LineAsked(),) * LINES
    key: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @classmethod
    def of(cls, fields: dict[str, list[str]]) -> PecQuery:
        """The query from a posted form (a missing key: a fresh one)."""
        get = lambda name: (fields.get(name) or [""])[0].strip()  # noqa: E731
        try:
            when = date.fromisoformat(get("date"))
        except ValueError:
            when = date.today()
        lines = tuple(
            LineAsked(get(f"code{i}")[:64], get(f"quantity{i}")[:16], get(f"amount{i}")[:32])
            for i in range(LINES)
        )
        key = get("key")
        return cls(
            kind=get("kind"), value=get("value")[:64], day=when, pa_type=get("pa_type")[:64],
            specialty=get("specialty")[:64], ald=get("ald")[:16], urgent=get("urgent") == "1",
            lines=lines, **({"key": key[:128]} if key else {}),
        )  # fmt: skip


def claim_body(query: PecQuery, documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The Claim a provider's software would send for the query and its checked documents."""
    body: dict[str, Any] = {
        "resourceType": "Claim",
        "status": "active",
        "type": {"coding": [{"system": systems.HL7_CLAIM_TYPE,
                             "code": CLAIM_TYPES.get(query.pa_type, INSTITUTIONAL)}]},
        "use": "preauthorization",
        "patient": {"identifier": {"system": KINDS.get(query.kind, systems.IDCS),
                                   "value": query.value}},
        "created": date.today().isoformat(),
        "provider": {"display": "Demandeur"},  # replaced by the organization's INPE
        "priority": {"coding": [{"system": systems.HL7_PROCESS_PRIORITY,
                                 "code": "stat" if query.urgent else "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}],
        "billablePeriod": {"start": query.day.isoformat()},
    }  # fmt: skip
    if query.pa_type:
        body["subType"] = {"coding": [{"system": systems.CS_PA_TYPE, "code": query.pa_type}]}
    if query.specialty:
        body["careTeam"] = [{
            "sequence": 1, "provider": {"display": "Prescripteur"},
            "qualification": {"coding": [{"system": systems.CS_SPECIALTY,
                                          "code": query.specialty}]},
        }]  # fmt: skip
    if query.ald:
        body["diagnosis"] = [{"sequence": 1, "diagnosisCodeableConcept": {
            "coding": [{"system": systems.CS_ALD, "code": query.ald}]}}]  # fmt: skip
    if documents:
        body["supportingInfo"] = [
            {"sequence": i, "category": {"coding": [{"system": ATTACHED, "code": "attachment"}]},
             "valueAttachment": document}
            for i, document in enumerate(documents, 1)
        ]  # fmt: skip
    items = [_item(n, line, query.day) for n, line in enumerate(query.lines, 1) if not line.empty]
    if items:  # FHIR has no empty arrays: the reader says a line is needed
        body["item"] = items
    return body


def _item(sequence: int, line: LineAsked, day: date) -> dict[str, Any]:
    """A row as a Claim item: a drug by its GTIN (digits), else a care category of ours."""
    code = line.code.strip()
    system = GTIN if code.isdigit() else systems.CS_CARE_CATEGORY
    item: dict[str, Any] = {
        "sequence": sequence,
        "productOrService": {"coding": [{"system": system, "code": code}]},
        "servicedDate": day.isoformat(),
    }
    if line.quantity:
        item["quantity"] = {"value": _number(line.quantity)}
    if line.amount:
        item["net"] = {"value": _number(line.amount.replace(",", ".")), "currency": "MAD"}
    return item


def _number(typed: str) -> int | float | str:
    """A number as JSON writes it; what is not one stays text, for the reader to refuse."""
    try:
        value = Decimal(typed.replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        return typed
    if not value.is_finite():
        return typed
    return int(value) if value == value.to_integral_value() else float(value)


def caller(session: StaffSession, org: Organization) -> Caller:
    """The person's organization as the API's routes know a caller."""
    return Caller(
        client_id=f"staff:{session.user_id}", tenant=org.id, inpe=org.inpe, scopes=(),
        expires_at=0, admission=org.admission, category=org.category,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Wired:
    """What asking needs of the app: the reference data, the ports, the documents' limit."""

    ref: ReferenceData
    ports: PriorAuthPorts
    claim_ports: ClaimPorts
    max_attachment_bytes: int
    max_body_bytes: int  # what the API reads of a Claim at most, documents included


async def request(
    query: PecQuery, posted: tuple[uploads.Upload, ...], who: Caller, lang: str, wired: Wired
) -> Answer:
    """Ask the prise en charge through the API's own path: the stored answer."""
    documents = uploads.checked(posted, "Claim.supportingInfo", wired.max_attachment_bytes)
    body = claim_body(query, documents)
    size = len(orjson.dumps(body))
    if size > wired.max_body_bytes:  # the API would not read it: neither does the page
        raise TooLarge(
            f"Demande de {size // 1024} Ko avec ses documents : au plus "
            f"{wired.max_body_bytes // 1024} Ko, comme par l'API (documents moins lourds : "
            "scan en 150 à 200 dpi)",
            code="corps-trop-volumineux",
        )
    asked = Asked(query.key or None, "$submit", lang, wired.max_attachment_bytes)
    return await ask(who, body, asked, wired.ref, wired.ports, wired.claim_ports)


def pa_types(ref: ReferenceData, day: date, lang: str) -> dict[str, str]:
    """The kinds of prise en charge in force on the day, named in the person's language."""
    return {code: named(lang, "pec.type", code, french)
            for code, french in labels.pa_types(ref, day).items()}  # fmt: skip


def specialties(ref: ReferenceData) -> dict[str, str]:
    """Prescribers' specialties, as the reference data names them."""
    return dict(sorted(labels.specialties(ref).items(), key=lambda kv: kv[1]))


def conditions(ref: ReferenceData, day: date) -> dict[str, str]:
    """The ALD/ALC conditions listed on the day, by code."""
    return {a.code: f"{a.code} — {a.label}" for a in ref.ald if a.validity.covers(day)}
