"""PriorAuthorization -> ClaimResponse (R4, use preauthorization), built as a plain dict.

It is built from two things only, so that it can be built again after a later change (a
reviewer's decision, a cancel, an expiry) exactly as the first time: the Claim as stored
(`request_resource`) and the prise en charge as it stands.

- `status` active, `cancelled` once the prise en charge is; `outcome` `queued` while the payer
  has not decided (requested, information requested), else `complete`;
- `disposition`: the state and its reasons; `preAuthRef` the prise en charge's id,
  `preAuthPeriod` its validity once granted;
- per item of the Claim (`fhir_profiles.claim_items`): adjudication `submitted` (the amount and
  quantity asked); `benefit` (the amount and quantity granted) for a granted line; a `benefit`
  of nothing with its reason (CodeSystem reason) for a line refused; for an item coded in a
  system the payer does not read, the reason `code-hors-nomenclature` on its `submitted`;
- `processNote`: each reason with what the provider can do about it now, then what to do given
  the state (`fhir_profiles.next_steps`); items point to their reason's note;
- the human text (disposition, notes, reasons' displays) in the language the stored Claim
  records (`fhir_profiles.wording`: French unless the request asked Arabic or English), said by
  `language` on the resource and on each note;
- extensions of ours: `decision-deadline` while queued, or while an urgent grant waits for its
  regularisation; `decision-overdue` once both sides were told the deadline passed;
  `provisional-authorization` for an urgent grant not yet confirmed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from domain.money import ZERO, Money
from domain.prior_auth import PaLine, PaStatus, PriorAuthorization
from fhir_profiles import messages, next_steps, systems, wording
from fhir_profiles.claim_in import ClaimRequestIn
from fhir_profiles.items import clean
from fhir_profiles.wording import Wording

Json = dict[str, Any]
FOREIGN: Final = "code-hors-nomenclature"  # an item coded in no system of the payer's
LEFT_OUT: Final = "ligne-non-accordee"  # a line a grant did not cover
NO_PAYER: Final = {"display": "Assurance maladie obligatoire"}


def request_resource(
    request: ClaimRequestIn, request_id: str, requestor_inpe: str, language: str = "fr"
) -> Json:
    """The Claim as stored: as received, under our id, its patient and insurer readable on
    their own (logical when they pointed inside the request), its provider the one the
    credential proved (the body's own is not checked by anyone), and the language its
    answers are written in."""
    stored = {
        **request.resource,
        "id": request_id,
        "patient": request.patient,
        "provider": _by_identifier("Organization", systems.INPE, requestor_inpe),
    }
    stored.pop("insurer", None)
    if request.insurer is not None:
        stored["insurer"] = request.insurer
    return wording.recorded(stored, language)


def from_domain(claim: Json, pa: PriorAuthorization, *, created: datetime) -> Json:
    """The ClaimResponse answering a stored Claim with the prise en charge as it stands, in the
    language the Claim records."""
    w = messages.wording(wording.language_of(claim))
    notes = _Notes(pa, w)
    items = [found for item in claim.get("item", []) if (found := _item(item, pa, notes))]
    body: Json = {
        "resourceType": "ClaimResponse",
        "id": pa.id,
        "meta": {"profile": [systems.SD_CLAIM_RESPONSE]},
        "language": w.language,
        "status": "cancelled" if pa.status is PaStatus.CANCELLED else "active",
        "type": clean(claim.get("type")) or {"text": w.preauthorization},
        "subType": _coding(systems.CS_PA_TYPE, pa.pa_type),
        "use": "preauthorization",
        "patient": claim["patient"],
        "created": _instant(created),
        "insurer": _insurer(claim, pa),
        "requestor": claim["provider"],
        "request": {"reference": f"Claim/{claim['id']}"},
        "outcome": "queued" if pa.status.pending else "complete",
        "disposition": _disposition(pa, notes, w),
        "preAuthRef": pa.id,
    }
    extensions = _extensions(pa)
    if extensions:
        body["extension"] = extensions
    if pa.valid_from is not None and pa.valid_until is not None:
        body["preAuthPeriod"] = {
            "start": pa.valid_from.isoformat(),
            "end": pa.valid_until.isoformat(),
        }
    if items:
        body["item"] = items
    totals = _totals(pa)
    if totals:
        body["total"] = totals
    body["processNote"] = notes.written()
    return body


class _Notes:
    """The processNotes: one per reason, numbered in the order they are first said."""

    def __init__(self, pa: PriorAuthorization, w: Wording) -> None:
        self._pa = pa
        self.w = w
        self._codes: list[str] = []
        for code in pa.reasons:
            self.number(code)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons said, in order."""
        return tuple(self._codes)

    def number(self, code: str) -> int:
        """The number of the note saying a reason (added the first time)."""
        if code not in self._codes:
            self._codes.append(code)
        return self._codes.index(code) + 1

    def written(self) -> list[Json]:
        """Each reason with what to do about it now, then what to do given the state (unless
        a reason already said it)."""
        texts = []
        for code in self._codes:
            step = next_steps.of_reason(code, self._pa, self.w)
            label = messages.label(code, self.w.language)
            texts.append(label if step is None else f"{label}. {step}")
        if not any(next_steps.says_state(code, self._pa) for code in self._codes):
            texts.append(next_steps.of_state(self._pa, self.w))
        return [_note(n, text, self.w.language) for n, text in enumerate(texts, 1)]


def _note(number: int, text: str, language: str) -> Json:
    """A processNote to be shown, in its language."""
    return {
        "number": number,
        "type": "display",
        "text": text,
        "language": {"coding": [{"system": systems.BCP47, "code": language}]},
    }


def _item(item: Json, pa: PriorAuthorization, notes: _Notes) -> Json | None:
    """The answer to one item of the Claim (None for one the prise en charge does not hold)."""
    sequence = item.get("sequence")
    line = next((line for line in pa.lines if line.sequence == sequence), None)
    if line is not None:
        return _line(line, pa, notes)
    if sequence not in pa.foreign:
        return None
    submitted = _adjudication("submitted", reason=FOREIGN, language=notes.w.language)
    net = _written_money(item.get("net"))
    if net is not None:
        submitted["amount"] = net
    return {
        "itemSequence": sequence,
        "noteNumber": [notes.number(FOREIGN)],
        "adjudication": [submitted],
    }


def _line(line: PaLine, pa: PriorAuthorization, notes: _Notes) -> Json:
    """A line of ours: what was asked, and what was granted or why not."""
    answer: Json = {
        "itemSequence": line.sequence,
        "adjudication": [_adjudication("submitted", line.amount, line.quantity)],
    }
    granted = pa.left(line.sequence)
    if granted is not None and granted.quantity > 0:
        answer["adjudication"].append(_adjudication("benefit", granted.amount, granted.quantity))
        return answer
    reason = _refusal(pa)
    if reason is not None:
        refused = _adjudication("benefit", ZERO, 0, reason=reason, language=notes.w.language)
        answer["adjudication"].append(refused)
        answer["noteNumber"] = [notes.number(reason)]
    return answer


def _refusal(pa: PriorAuthorization) -> str | None:
    """Why a line has nothing granted: the refusal's reason, or left out of a grant; None
    while nothing is decided."""
    if pa.status is PaStatus.REFUSED:
        return pa.reasons[-1] if pa.reasons else LEFT_OUT
    return LEFT_OUT if pa.granted else None


def _adjudication(
    category: str,
    amount: Money | None = None,
    quantity: int | None = None,
    reason: str | None = None,
    language: str = "fr",
) -> Json:
    """One adjudication of an item: a category, and its reason (shown in the language),
    amount and quantity."""
    found: Json = {"category": _coding(systems.HL7_ADJUDICATION, category)}
    if reason is not None:
        found["reason"] = _coding(systems.CS_REASON, reason, messages.label(reason, language))
    if amount is not None:
        found["amount"] = _money(amount)
    if quantity is not None:
        found["value"] = quantity
    return found


def _totals(pa: PriorAuthorization) -> list[Json]:
    """What the lines ask in all, and what is granted in all once decided."""
    if not pa.lines:
        return []
    asked = sum((line.amount for line in pa.lines), ZERO)
    totals = [{"category": _coding(systems.HL7_ADJUDICATION, "submitted"), "amount": _money(asked)}]
    if pa.granted:
        granted = sum((g.amount for g in pa.granted), ZERO)
        totals.append(
            {"category": _coding(systems.HL7_ADJUDICATION, "benefit"), "amount": _money(granted)}
        )
    return totals


def _disposition(pa: PriorAuthorization, notes: _Notes, w: Wording) -> str:
    """The answer for the person at the desk: the state, its dates, its reasons."""
    said = w.status_labels[pa.status]
    if pa.provisional and pa.status.usable:
        said = w.provisional_grant
    if pa.status.pending:
        said += w.decision_due.format(deadline=w.moment(pa.deadline))
    elif pa.valid_from is not None and pa.valid_until is not None:
        said += w.valid_between.format(start=w.day(pa.valid_from), end=w.day(pa.valid_until))
    # Once decided, what only explained the wait is history: the notes keep it.
    waited = {*next_steps.WHILE_PENDING, *next_steps.WHILE_INFORMATION}
    current = [c for c in notes.codes if pa.status.pending or c not in waited]
    reasons = [messages.label(code, w.language) for code in current]
    restated = next((r for r in reasons if r.startswith(f"{said}{w.colon}")), None)
    if restated is not None:  # a reason that says the state itself opens the answer
        reasons.remove(restated)
        return w.semicolon.join([restated, *reasons])
    return w.colon.join([said, w.semicolon.join(reasons)]) if reasons else said


def _extensions(pa: PriorAuthorization) -> list[Json]:
    """Our extensions: the deadline the payer answers by, overdue, provisional."""
    provisional = pa.provisional and pa.status.usable
    found: list[Json] = []
    if pa.status.pending or provisional:
        found.append({"url": systems.EXT_DECISION_DEADLINE, "valueDateTime": _instant(pa.deadline)})
    if pa.status.pending and pa.overdue_flagged:
        found.append({"url": systems.EXT_DECISION_OVERDUE, "valueBoolean": True})
    if provisional:
        found.append({"url": systems.EXT_PROVISIONAL, "valueBoolean": True})
    return found


def _insurer(claim: Json, pa: PriorAuthorization) -> Json:
    """The payer that answers, known by its payer code; the Claim's insurer if none."""
    if pa.payer:
        return _by_identifier("Organization", systems.PAYER_ID, pa.payer)
    written = claim.get("insurer")
    return written if isinstance(written, dict) and written else dict(NO_PAYER)


def _written_money(value: Any) -> Json | None:
    """A Money as the client wrote it, when well typed (an item we do not read is not checked)."""
    if not isinstance(value, dict):
        return None
    number, currency = value.get("value"), value.get("currency")
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return None
    return {"value": number, **({"currency": currency} if isinstance(currency, str) else {})}


def _money(amount: Money) -> Json:
    """A FHIR Money in MAD (a JSON number: whole dirhams as an integer)."""
    centimes = amount.centimes
    value: int | float = centimes // 100 if centimes % 100 == 0 else float(amount.as_decimal())
    return {"value": value, "currency": "MAD"}


def _coding(system: str, code: str, display: str | None = None) -> Json:
    """A CodeableConcept of one coding."""
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _by_identifier(kind: str, system: str, value: str) -> Json:
    """A logical reference: a resource known by a business identifier."""
    return {"type": kind, "identifier": {"system": system, "value": value}}


def _instant(moment: datetime) -> str:
    """A FHIR dateTime to the second, in UTC when the datetime carries no zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")
