"""Adjudication -> ClaimResponse (R4, use claim or predetermination), built as a plain dict.

- `outcome`: `complete` once every line is decided, even when nothing is payable (R4 keeps
  `error` for a claim that could not be processed, which is answered by an OperationOutcome);
  `partial` while a line waits for documents (incomplete: not a refusal);
- per item of the Claim: adjudication `submitted` (amount billed, quantity), `eligible` (the
  base), `eligpercent` (the rate, in percent), `benefit` (the RO's share, with the line's
  first reason), `copay` (the patient's share), and our categories (CodeSystem adjudication)
  `complementary` (the RC's share), `above-tariff` (billed above the base) and
  `ald-exemption` (the line paid at the ALD rate); the line's status in the extension
  `line-status`; its first reason on `benefit`, a reason about the complementary
  (`complementaire-inconnue`) on `complementary`; each reason in a processNote with what to do
  next;
- an item coded in a system the payer does not read: `submitted` with `code-hors-nomenclature`;
- `total` per category, `payment` (type complete, the expected date and what the RO pays)
  once something is payable on a claim, `preAuthRef` the PA the lines cite when only one;
- the human text (disposition, notes, reasons' displays) in the language asked
  (`fhir_profiles.wording`), said by `language` on the resource and on each note.
- a counter check (predetermination) that holds prise en charge units: until when, in the
  extension `hold-until`;
- a correction: a processNote saying which claim it replaces (R4's ClaimResponse has no
  element for it: `related` is the Claim's), that claim's benefit being no longer due.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import orjson

from domain.claims import PAYABLE, Adjudication, ClaimUse, LineResult, LineStatus
from domain.money import Money
from domain.rules.adjudication import UNKNOWN_COMPLEMENTARY
from domain.services.claim_corrections import Corrected
from fhir_profiles import claim_out, messages, systems
from fhir_profiles.claim_billing_in import ClaimIn
from fhir_profiles.items import clean
from fhir_profiles.wording import FRENCH, Wording

Json = dict[str, Any]
FOREIGN: Final = claim_out.FOREIGN
HL7_PAYMENT_TYPE: Final = "http://terminology.hl7.org/CodeSystem/ex-paymenttype"
# Our adjudication categories (CodeSystem adjudication), with their French labels.
OUR_CATEGORIES: Final[dict[str, str]] = {
    "complementary": "Part de la couverture complémentaire (RC)",
    "above-tariff": "Facturé au-delà du tarif de référence (jamais payé par l'AMO)",
    "ald-exemption": "Ligne payée au taux d'exonération ALD/ALC",
}
# Reasons about the complementary's share: said on its adjudication, not on the RO's benefit.
ON_COMPLEMENTARY: Final = frozenset({UNKNOWN_COMPLEMENTARY})
SHARES: Final = (
    ("submitted", systems.HL7_ADJUDICATION),
    ("eligible", systems.HL7_ADJUDICATION),
    ("benefit", systems.HL7_ADJUDICATION),
    ("copay", systems.HL7_ADJUDICATION),
    ("complementary", systems.CS_ADJUDICATION),
    ("above-tariff", systems.CS_ADJUDICATION),
)
_AMOUNT_OF: Final = {
    "submitted": "submitted",
    "eligible": "eligible",
    "benefit": "benefit",
    "copay": "patient",
    "complementary": "complementary",
    "above-tariff": "above_tariff",
}


def from_domain(
    parsed: ClaimIn,
    adjudication: Adjudication,
    *,
    response_id: str,
    created: datetime,
    language: str = FRENCH,
    held_until: datetime | None = None,
    replaces: Corrected | None = None,
) -> Json:
    """The ClaimResponse answering a claim with its adjudication, in a language (a counter
    check's hold, the claim a correction replaces)."""
    claim = parsed.resource
    w = messages.wording(language)
    notes = _Notes(w)
    items = [_line(line, notes) for line in adjudication.lines]
    items += [_foreign(sequence, notes) for sequence in parsed.foreign]
    items.sort(key=lambda item: item["itemSequence"])
    body: Json = {
        "resourceType": "ClaimResponse",
        "id": response_id,
        "meta": {"profile": [systems.SD_CLAIM_RESPONSE_BILLING]},
        "language": w.language,
        "status": "active",
        "type": clean(claim.get("type")) or {"text": w.claim},
        "use": adjudication.use.value,
        "patient": parsed.patient,
        "created": claim_out._instant(created),
        "insurer": parsed.insurer or dict(claim_out.NO_PAYER),
        "requestor": claim["provider"],
        "request": {"identifier": {"value": adjudication.claim_id}},
        "outcome": _outcome(adjudication),
        "disposition": _disposition(adjudication, w),
        "item": items,
    }
    pa_references = parsed.pa_references
    if len(pa_references) == 1:
        body["preAuthRef"] = next(iter(pa_references))
    if adjudication.lines:
        body["total"] = _totals(adjudication)
    payment = _payment(adjudication)
    if payment is not None:
        body["payment"] = payment
    if held_until is not None:
        body["extension"] = [
            {"url": systems.EXT_HOLD_UNTIL, "valueDateTime": claim_out._instant(held_until)}
        ]
    written = notes.written()
    if replaces is not None:
        written.append(
            claim_out._note(len(written) + 1, _replacing(replaces), FRENCH)
        )  # said in French only
    if written:
        body["processNote"] = written
    return body


def withdrawn(request_body: bytes) -> bytes:
    """A stored Claim once its benefit was reversed (it was cancelled, or corrected by
    another): its status is `cancelled`."""
    return orjson.dumps({**orjson.loads(request_body), "status": "cancelled"})


def _replacing(replaces: Corrected) -> str:
    """The note of a correction: the claim it replaces, no longer paid."""
    named = replaces.claim_id
    if replaces.request_id is not None:
        named += f" (Claim/{replaces.request_id})"
    return (
        f"Cette demande corrige et remplace la demande {named} : la part AMO de celle-ci "
        "n'est plus due, et les unités de prise en charge qu'elle utilisait redeviennent "
        "disponibles."
    )


class _Notes:
    """The processNotes: one per reason, numbered in the order first said."""

    def __init__(self, w: Wording) -> None:
        self.w = w
        self.codes: list[str] = []

    def number(self, code: str) -> int:
        """The number of the note saying a reason (added the first time)."""
        if code not in self.codes:
            self.codes.append(code)
        return self.codes.index(code) + 1

    def written(self) -> list[Json]:
        """Each reason, with what to do about it."""
        texts = []
        for code in self.codes:
            label, step = messages.label(code, self.w.language), self.w.billing_steps.get(code)
            texts.append(label if step is None else f"{label}. {step}")
        return [claim_out._note(n, text, self.w.language) for n, text in enumerate(texts, 1)]


def _outcome(adjudication: Adjudication) -> str:
    """partial while a line waits for documents, else complete."""
    waiting = any(line.status is LineStatus.INCOMPLETE for line in adjudication.lines)
    return "partial" if waiting else "complete"


def _disposition(adjudication: Adjudication, w: Wording) -> str:
    """The answer for the person at the desk."""
    paid = claim_out._money(adjudication.payable)["value"]
    said = w.estimate if adjudication.use is ClaimUse.PREDETERMINATION else w.processed
    text = w.ro_share.format(said=said, amount=paid)
    if adjudication.payment_date is not None:
        text += w.payment_due.format(day=w.day(adjudication.payment_date))
    return text


def _line(line: LineResult, notes: _Notes) -> Json:
    """One line's adjudication: each share, the rate, the status and the reasons."""
    shares = {name: _share(name, system, line) for name, system in SHARES}
    for code in reversed(line.reasons):  # the first reason of each share is said on it
        on = "complementary" if code in ON_COMPLEMENTARY else "benefit"
        shares[on]["reason"] = _reason(code, notes.w.language)
    adjudications = list(shares.values())
    percent = line.rate * 100
    rate: Json = {
        "category": _coding(systems.HL7_ADJUDICATION, "eligpercent"),
        "value": float(percent) if percent % 1 else int(percent),
    }
    adjudications.insert(2, rate)
    if line.ald_exempt:
        adjudications.append(
            {"category": _coding(systems.CS_ADJUDICATION, "ald-exemption"), "value": 1}
        )
    answer: Json = {
        "extension": [{"url": systems.EXT_LINE_STATUS, "valueCode": line.status.value}],
        "itemSequence": line.sequence,
        "adjudication": adjudications,
    }
    if line.reasons:
        answer["noteNumber"] = [notes.number(code) for code in line.reasons]
    return answer


def _share(name: str, system: str, line: LineResult) -> Json:
    """One share of a line as an adjudication with its amount."""
    amount: Money = getattr(line, _AMOUNT_OF[name])
    return {"category": _coding(system, name), "amount": claim_out._money(amount)}


def _foreign(sequence: int, notes: _Notes) -> Json:
    """An item coded in no system of the payer's: not examined, with the reason."""
    submitted = {
        "category": _coding(systems.HL7_ADJUDICATION, "submitted"),
        "reason": _reason(FOREIGN, notes.w.language),
    }
    return {
        "itemSequence": sequence,
        "noteNumber": [notes.number(FOREIGN)],
        "adjudication": [submitted],
    }


def _totals(adjudication: Adjudication) -> list[Json]:
    """Each share added up over the lines."""
    return [
        {
            "category": _coding(system, name),
            "amount": claim_out._money(adjudication.total(_AMOUNT_OF[name])),
        }
        for name, system in SHARES
    ]


def _payment(adjudication: Adjudication) -> Json | None:
    """What the RO pays and when, once something is payable on a claim."""
    if adjudication.payment_date is None or not any(
        line.status in PAYABLE for line in adjudication.lines
    ):
        return None
    return {
        "type": _coding(HL7_PAYMENT_TYPE, "complete"),
        "date": adjudication.payment_date.isoformat(),
        "amount": claim_out._money(adjudication.payable),
    }


def _reason(code: str, language: str) -> Json:
    return _coding(systems.CS_REASON, code, messages.label(code, language))


def _coding(system: str, code: str, display: str | None = None) -> Json:
    return claim_out._coding(system, code, display)
