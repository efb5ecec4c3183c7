"""The pharmacist's claim form: the same exchange as `POST /fhir/Claim/$submit`.

The form's fields become the Claim a pharmacy's software would send (type pharmacy, its lines
coded by EAN-13, the prescription as a contained MedicationRequest per line, the prise en
charge cited by the focal insurance or by a line's own extension), read by the API's own
ClaimForm and decided by the same use case (domain.services.claims.submit_claim) with the
person's organization as the requester. "Vérifier au comptoir" sends it with use =
predetermination: the answer says what would be paid, and holds the units of a prise en charge
for a while; "Facturer" sends it with use = claim, under the Idempotency-Key the form was
rendered with, so that a second click or a reload answers the first claim again.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from domain.records import Answer, Requester
from domain.reference import ReferenceData
from domain.services import claims
from domain.services.claims import ClaimPorts
from domain.services.exchanges import Submission
from fhir_profiles import systems
from fhir_profiles.claim_billing_form import ClaimForm
from gateway.deps import idempotency_key
from gateway.portal.formats import typed_day
from gateway.portal.rights import KINDS

ROWS = 4  # the lines a form offers (empty ones are ignored): a counter sale rarely has more
USES = ("predetermination", "claim")  # the two buttons: check at the counter, then bill
DOCUMENTS = ("feuille-de-soins", "ordonnance", "vignettes")  # what a pharmacy keeps on paper
OPERATION = "portal-claim"  # what the Idempotency-Key's digest is taken over, with the body
PORTAL_CLAIMS = "https://fhir.tiers-payant.ma/sid/portal-claim"  # the form's claim numbers
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
GTIN = "https://www.gs1.org/gtin"
ITEM = re.compile(r"\bitem\[(\d+)\]")  # a line in an error's FHIRPath


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A row of the form as typed: the box's EAN-13, how many, at what unit price, and the
    prise en charge this line alone cites."""

    ean13: str = ""
    quantity: str = ""
    price: str = ""
    pec: str = ""

    @property
    def empty(self) -> bool:
        """A row left blank is no line."""
        return not (self.ean13 or self.quantity or self.price or self.pec)


@dataclass(frozen=True, slots=True)
class ClaimDraft:
    """The form as typed; kept whole when the page is shown again."""

    key: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    kind: str = "IDCS"
    value: str = ""
    day: date = field(default_factory=date.today)
    prescriber: str = ""
    prescribed: date | None = None
    pec: str = ""
    documents: tuple[str, ...] = DOCUMENTS
    lines: tuple[DraftLine, ...] = tuple(DraftLine() for _ in range(ROWS))

    @classmethod
    def of(cls, fields: dict[str, list[str]]) -> ClaimDraft:
        """The draft from a posted form; what cannot be read is left for the reader to say."""

        def one(name: str, size: int = 64) -> str:
            return (fields.get(name) or [""])[0].strip()[:size]

        lines = tuple(
            DraftLine(one(f"ean-{n}", 32), one(f"qty-{n}", 8), one(f"price-{n}", 16),
                      one(f"pec-{n}"))
            for n in range(1, ROWS + 1)
        )  # fmt: skip
        key = one("key", 64)
        return cls(
            key=key if len(key) >= 16 else secrets.token_urlsafe(18),
            kind=one("kind", 8), value=one("value"), day=typed_day(one("date")) or date.today(),
            prescriber=one("prescriber", 120), prescribed=typed_day(one("prescribed")),
            pec=one("pec"), documents=tuple(d for d in fields.get("doc", []) if d in DOCUMENTS),
            lines=lines,
        )  # fmt: skip

    @property
    def claim_id(self) -> str:
        """The claim's business identifier: one per rendered form, as the key."""
        return f"PORTAIL-{self.key}"


def claim_body(draft: ClaimDraft, use: str, ref: ReferenceData, inpe: str) -> dict[str, Any]:
    """The Claim a pharmacy's software would send for the draft."""
    system = KINDS.get(draft.kind, systems.IDCS)
    patient = {"identifier": {"system": system, "value": draft.value}}
    insurance: dict[str, Any] = {"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}
    if draft.pec:
        insurance["preAuthRef"] = [draft.pec]
    body: dict[str, Any] = {
        "resourceType": "Claim",
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE, "code": "pharmacy"}]},
        "use": use,
        "identifier": [{"system": PORTAL_CLAIMS, "value": draft.claim_id}],
        "patient": patient,
        "created": draft.day.isoformat(),
        "provider": {"identifier": {"system": systems.INPE, "value": inpe}},
        "priority": {"coding": [{"system": PRIORITY, "code": "normal"}]},
        "insurance": [insurance],
    }
    written = [line for line in draft.lines if not line.empty]
    if written:  # FHIR has no empty arrays: the reader says a claim needs a line
        body["item"] = [_item(n, line, draft, ref) for n, line in enumerate(written, 1)]
    if draft.prescriber or draft.prescribed:
        body["contained"] = [_prescription(n, line, draft, patient)
                             for n, line in enumerate(written, 1)]  # fmt: skip
    if draft.documents:
        body["supportingInfo"] = [
            {"sequence": n, "category": {"text": code},
             "code": {"coding": [{"system": systems.CS_CLAIM_DOCUMENT, "code": code}]}}
            for n, code in enumerate(draft.documents, 1)
        ]  # fmt: skip
    return body


def _item(n: int, line: DraftLine, draft: ClaimDraft, ref: ReferenceData) -> dict[str, Any]:
    """A line: the box, how many, its unit price (the catalogue's public price when none is
    typed, as the pharmacy's software fills it), the day, its own prise en charge."""
    item: dict[str, Any] = {
        "sequence": n,
        "productOrService": {"coding": [{"system": GTIN, "code": line.ean13}]},
        "quantity": {"value": _number(line.quantity or "1")},
        "servicedDate": draft.day.isoformat(),
    }
    price = line.price or _public_price(line.ean13, draft.day, ref)
    if price:
        item["unitPrice"] = {"value": _number(price), "currency": "MAD"}
    extensions = []
    if line.pec:
        extensions.append({"url": systems.EXT_PA_REFERENCE, "valueString": line.pec})
    if draft.prescriber or draft.prescribed:
        extensions.append(
            {"url": systems.EXT_PRESCRIPTION, "valueReference": {"reference": f"#rx{n}"}}
        )
    if extensions:
        item["extension"] = extensions
    return item


def _prescription(
    n: int, line: DraftLine, draft: ClaimDraft, patient: dict[str, Any]
) -> dict[str, Any]:
    """The prescription the line serves: who wrote it, and when."""
    request: dict[str, Any] = {
        "resourceType": "MedicationRequest", "id": f"rx{n}", "status": "active",
        "intent": "order", "subject": patient,
        "medicationCodeableConcept": {"coding": [{"system": GTIN, "code": line.ean13}]},
    }  # fmt: skip
    if draft.prescriber:
        request["requester"] = {"display": draft.prescriber}
    if draft.prescribed:
        request["authoredOn"] = draft.prescribed.isoformat()
    return request


def _public_price(ean13: str, day: date, ref: ReferenceData) -> str:
    drug = ref.drug(ean13, day) if len(ean13) == 13 and ean13.isdigit() else None
    return "" if drug is None else str(Decimal(drug.ppv_centimes) / 100)


def _number(typed: str) -> int | float | str:
    """A number as JSON carries it; what is not one is sent as typed, for the reader to
    refuse in its own words."""
    try:
        value = Decimal(typed.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return typed
    if not value.is_finite():
        return typed
    return int(value) if value == value.to_integral_value() else float(value)


async def send(
    draft: ClaimDraft,
    use: str,
    who: Requester,
    *,
    inpe: str,
    lang: str,
    ref: ReferenceData,
    ports: ClaimPorts,
) -> Answer:
    """Run the claim through the API's reader and use case; a bill under the form's key."""
    body = claim_body(draft, use, ref, inpe)
    form = ClaimForm(body, ref=ref, requestor_inpe=inpe, language=lang)
    key = idempotency_key(draft.key, OPERATION, body) if use == "claim" else None
    return await claims.submit_claim(Submission(who, form, key), ref=ref, ports=ports)


def row_of(draft: ClaimDraft, expression: str | None) -> int | None:
    """The form's row an error's FHIRPath points to (Claim.item[i]: the i-th row written)."""
    found = ITEM.search(expression or "")
    if found is None:
        return None
    written = [n for n, line in enumerate(draft.lines, 1) if not line.empty]
    index = int(found.group(1))
    return written[index] if index < len(written) else None


def fresh(draft: ClaimDraft) -> ClaimDraft:
    """The same draft under a new key: a new claim, when the key billed other lines."""
    return replace(draft, key=secrets.token_urlsafe(18))


def held_until(body: bytes) -> datetime | None:
    """Until when a counter check holds the units it found (its answer's extension)."""
    answer = orjson.loads(body)
    for extension in answer.get("extension", []) if isinstance(answer, dict) else []:
        if extension.get("url") == systems.EXT_HOLD_UNTIL:
            return datetime.fromisoformat(extension["valueDateTime"])
    return None
