"""Adjudication -> ClaimResponse (R4, use claim or predetermination), built as a plain dict.

- `outcome`: `complete` once every line is decided, even when nothing is payable (R4 keeps
  `error` for a claim that could not be processed, which is answered by an OperationOutcome);
  `partial` while a line waits for documents (incomplete: not a refusal);
- per item of the Claim: adjudication `submitted` (amount billed, quantity), `eligible` (the
  base), `eligpercent` (the rate, in percent), `benefit` (the RO's share, with the line's
  first reason), `copay` (the patient's share), and our categories (CodeSystem adjudication)
  `complementary` (the RC's share), `above-tariff` (billed above the base) and
  `ald-exemption` (the line paid at the ALD rate); the line's status in the extension
  `line-status`; each reason in a processNote with what to do next;
- an item coded in a system the payer does not read: `submitted` with `code-hors-nomenclature`;
- `total` per category, `payment` (type complete, the expected date and what the RO pays)
  once something is payable on a claim, `preAuthRef` the PA the lines cite when only one;
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
from domain.services.claim_corrections import Corrected
from fhir_profiles import claim_out, messages, systems
from fhir_profiles.claim_billing_in import ClaimIn
from fhir_profiles.items import clean

Json = dict[str, Any]
FOREIGN: Final = claim_out.FOREIGN
HL7_PAYMENT_TYPE: Final = "http://terminology.hl7.org/CodeSystem/ex-paymenttype"
# Our adjudication categories (CodeSystem adjudication), with their French labels.
OUR_CATEGORIES: Final[dict[str, str]] = {
    "complementary": "Part de la couverture complémentaire (RC)",
    "above-tariff": "Facturé au-delà du tarif de référence (jamais payé par l'AMO)",
    "ald-exemption": "Ligne payée au taux d'exonération ALD/ALC",
}
# What the provider can do about a line's reason.
NEXT_STEPS: Final[dict[str, str]] = {
    "code-hors-nomenclature": "Codez la ligne en EAN-13 (GS1), lettre clé NGAP, acte NABM, "
    "forfait ou journée (CodeSystems de la passerelle), puis déposez-la à nouveau.",
    "pieces-manquantes": "Envoyez les pièces manquantes : la ligne sera examinée à leur réception.",
    "accord-prealable-requis": "Demandez une prise en charge préalable, puis facturez la ligne "
    "en citant sa référence (preAuthRef).",
    "depassement-tarif": "Le dépassement reste à la charge du patient ou de sa complémentaire.",
    "doublon": "Si la demande précédente était erronée, annulez-la (Task cancel) ou remplacez-la "
    "par une demande qui la cite (Claim.related) ; sinon, ne facturez pas la ligne une seconde "
    "fois.",
    "ordonnance-deja-servie": "Vérifiez la référence de l'ordonnance : servie ailleurs, elle ne "
    "l'est plus en tiers payant.",
    "renouvellement-premature": "Le traitement délivré précédemment couvre encore cette date : "
    "facturez le renouvellement à partir du jour où il prend fin.",
    "plafond-atteint": "Le reste est à la charge du patient ou de sa complémentaire.",
    "medicament-inconnu": "Vérifiez le code EAN-13 du médicament.",
    "tarif-introuvable": "Vérifiez le code et la date des soins.",
}
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
    held_until: datetime | None = None,
    replaces: Corrected | None = None,
) -> Json:
    """The ClaimResponse answering a claim with its adjudication (a counter check's hold, the
    claim a correction replaces)."""
    claim = parsed.resource
    notes = _Notes()
    items = [_line(line, notes) for line in adjudication.lines]
    items += [_foreign(sequence, notes) for sequence in parsed.foreign]
    items.sort(key=lambda item: item["itemSequence"])
    body: Json = {
        "resourceType": "ClaimResponse",
        "id": response_id,
        "meta": {"profile": [systems.SD_CLAIM_RESPONSE_BILLING]},
        "status": "active",
        "type": clean(claim.get("type")) or {"text": "Demande de remboursement"},
        "use": adjudication.use.value,
        "patient": parsed.patient,
        "created": claim_out._instant(created),
        "insurer": parsed.insurer or dict(claim_out.NO_PAYER),
        "requestor": claim["provider"],
        "request": {"identifier": {"value": adjudication.claim_id}},
        "outcome": _outcome(adjudication),
        "disposition": _disposition(adjudication),
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
        written.append(claim_out._note(len(written) + 1, _replacing(replaces)))
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

    def __init__(self) -> None:
        self.codes: list[str] = []

    def number(self, code: str) -> int:
        """The number of the note saying a reason (added the first time)."""
        if code not in self.codes:
            self.codes.append(code)
        return self.codes.index(code) + 1

    def written(self) -> list[Json]:
        """Each reason in French, with what to do about it."""
        texts = []
        for code in self.codes:
            label, step = messages.label(code), NEXT_STEPS.get(code)
            texts.append(label if step is None else f"{label}. {step}")
        return [claim_out._note(n, text) for n, text in enumerate(texts, 1)]


def _outcome(adjudication: Adjudication) -> str:
    """partial while a line waits for documents, else complete."""
    waiting = any(line.status is LineStatus.INCOMPLETE for line in adjudication.lines)
    return "partial" if waiting else "complete"


def _disposition(adjudication: Adjudication) -> str:
    """The answer in French for the person at the desk."""
    paid = claim_out._money(adjudication.payable)["value"]
    said = "Estimation" if adjudication.use is ClaimUse.PREDETERMINATION else "Demande traitée"
    text = f"{said} : part de l'AMO {paid} MAD"
    if adjudication.payment_date is not None:
        text += f", paiement prévu le {adjudication.payment_date.strftime('%d/%m/%Y')}"
    return text


def _line(line: LineResult, notes: _Notes) -> Json:
    """One line's adjudication: each share, the rate, the status and the reasons."""
    adjudications = [_share(name, system, line) for name, system in SHARES]
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
    if line.reasons:
        adjudications[3]["reason"] = _reason(line.reasons[0])
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
        "reason": _reason(FOREIGN),
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


def _reason(code: str) -> Json:
    return _coding(systems.CS_REASON, code, messages.label(code))


def _coding(system: str, code: str, display: str | None = None) -> Json:
    return claim_out._coding(system, code, display)
