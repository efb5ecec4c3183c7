"""The provider's prises en charge as its pages show them: the list (the API's search, the
requester being the person's organization), one in detail with what the payer's reviewer
asked and what was answered, and the attestation of a grant. Statuses and reasons are worded
as the API words its answers (fhir_profiles.messages, next_steps)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson

from domain.members import PersonIdentifier
from domain.money import Money
from domain.prior_auth import PaStatus, PriorAuthorization
from domain.records import ExchangeQuery, ExchangeRecord, Message, Requester
from domain.reference import ReferenceData
from domain.services import information, prior_auth
from domain.services.prior_auth import PriorAuthPorts
from fhir_profiles import labels, messages, next_steps, systems
from gateway.portal.catalogue import named, text
from gateway.portal.formats import amount, day, moment

PAGE = 20
EXPORT_AT_MOST = 10_000  # a year of a busy clinic's requests: the export stops there
STATUSES = ("", *(s.value for s in PaStatus))
BOM = "\ufeff"  # Excel opens a UTF-8 CSV as UTF-8 only with it


@dataclass(frozen=True, slots=True)
class PecRow:
    """One prise en charge as the list shows it."""

    id: str
    created: datetime
    status: str
    said: str  # the status in words
    kind: str  # the kind of prise en charge, named
    patient: str  # masked: the list is read over shoulders
    deadline: datetime | None  # while the payer has not answered
    overdue: bool


def status_words(status: str, lang: str, *, provisional: bool = False) -> str:
    """A status as the API's answers say it, in the person's language."""
    w = messages.wording(lang)
    try:
        state = PaStatus(status)
    except ValueError:
        return status
    return w.provisional_grant if provisional and state.usable else w.status_labels[state]


def masked(identifiers: tuple[PersonIdentifier, ...]) -> str:
    """The first identifier, all but its last four characters hidden (IDCS ••••••7890)."""
    if not identifiers:
        return ""
    first = identifiers[0]
    hidden = "•" * max(0, len(first.value) - 4) + first.value[-4:]
    return f"{first.kind.value.upper()} {hidden}"


def shown(identifiers: tuple[PersonIdentifier, ...]) -> str:
    """The first identifier, as the API's answers carry it."""
    return f"{identifiers[0].kind.value.upper()} {identifiers[0].value}" if identifiers else ""


async def search(
    who: Requester, status: str, offset: int, lang: str, *, ports: PriorAuthPorts,
    now: datetime, limit: int = PAGE,
) -> tuple[list[PecRow], int]:  # fmt: skip
    """A page of the organization's prises en charge, newest first, and how many there are."""
    query = ExchangeQuery(
        who.tenant, prior_auth.PRIOR_AUTH.kind, statuses=(status,) if status in STATUSES[1:]
        else (), limit=limit, offset=max(0, offset),
    )  # fmt: skip
    records, total = await prior_auth.search_answers(who, query, ports=ports)
    return [row(record, lang, now) for record in records], total


def row(record: ExchangeRecord, lang: str, now: datetime) -> PecRow:
    """A stored prise en charge exchange as the list shows it."""
    body = orjson.loads(record.response_body)
    deadline = _deadline(body)
    kind = _coded(body.get("subType"), systems.CS_PA_TYPE)
    pending = record.status in (PaStatus.REQUESTED, PaStatus.INFO_REQUESTED)
    return PecRow(
        id=record.id, created=record.created, status=record.status,
        said=status_words(record.status, lang), kind=named(lang, "pec.type", kind, kind),
        patient=masked(record.patient_identifiers),
        deadline=deadline if pending else None,
        overdue=pending and deadline is not None and deadline < now,
    )  # fmt: skip


def _deadline(body: dict[str, Any]) -> datetime | None:
    for extension in body.get("extension", []):
        if extension.get("url") == systems.EXT_DECISION_DEADLINE:
            return datetime.fromisoformat(extension["valueDateTime"])
    return None


def _coded(concept: Any, system: str) -> str:
    codings = concept.get("coding", []) if isinstance(concept, dict) else []
    return next((c.get("code", "") for c in codings if c.get("system") == system), "")


async def every(
    who: Requester, status: str, lang: str, *, ports: PriorAuthPorts, now: datetime
) -> list[PecRow]:
    """All the organization's prises en charge of a status (at most EXPORT_AT_MOST)."""
    found: list[PecRow] = []
    while len(found) < EXPORT_AT_MOST:
        rows, total = await search(who, status, len(found), lang, ports=ports, now=now, limit=500)
        found.extend(rows)
        if not rows or len(found) >= total:
            break
    return found


def csv_text(rows: list[PecRow], lang: str) -> str:
    """The list as a CSV file for a spreadsheet (French Excel: `;`, UTF-8 with its BOM)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    heads = ("pec.number", "pec.created", "pec.type", "pec.patient", "pec.status", "pec.deadline")
    writer.writerow([text(lang, key) for key in heads] + ["code"])
    for r in rows:
        when = "" if r.deadline is None else moment(r.deadline, lang)
        writer.writerow([r.id, moment(r.created, lang), r.kind, r.patient, r.said, when, r.status])
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class LineView:
    """A line: what was asked, granted, and what claims have left of it."""

    sequence: int
    code: str
    quantity: int
    amount: Money
    granted: int | None
    granted_amount: Money | None
    left: int | None


@dataclass(frozen=True, slots=True)
class Document:
    """A document sent: its title, type and size."""

    title: str
    content_type: str
    kb: int


@dataclass(frozen=True, slots=True)
class Asked:
    """A reviewer's request for information, with its state and what it says."""

    id: str
    at: datetime
    reason: str
    note: str
    state: str  # open, answered, closed


@dataclass(frozen=True, slots=True)
class Given:
    """An answer the provider gave."""

    id: str
    at: datetime
    texts: tuple[str, ...]
    documents: tuple[Document, ...]


@dataclass(frozen=True, slots=True)
class Detail:
    """One prise en charge as its page shows it."""

    id: str
    created: datetime
    patient: str
    pa: PriorAuthorization
    said: str
    next_step: str
    kind: str
    reasons: tuple[str, ...]
    lines: tuple[LineView, ...]
    documents: tuple[Document, ...]
    requests: tuple[Asked, ...]
    answers: tuple[Given, ...]

    @property
    def attested(self) -> bool:
        """Whether it has an attestation: granted, wholly or in part."""
        return self.pa.status in (PaStatus.GRANTED, PaStatus.PARTIAL)

    @property
    def open_request(self) -> Asked | None:
        """The request for information waiting for an answer, if any."""
        return next((r for r in self.requests if r.state == "open"), None)


async def detail(who: Requester, pec_id: str, lang: str, *, ports: PriorAuthPorts) -> Detail:
    """One of the organization's prises en charge (another's is not found)."""
    record = await prior_auth.read_answer(who, pec_id, ports=ports)
    thread = await information.provider_requests(who, record.id, by_claim=False, ports=ports)
    given = await information.provider_answers(who, record.id, ports=ports)
    pa, w = thread.authorization, messages.wording(lang)
    claim = orjson.loads(record.request_body)
    return Detail(
        id=record.id, created=record.created, patient=shown(record.patient_identifiers), pa=pa,
        said=status_words(pa.status.value, lang, provisional=pa.provisional),
        next_step=next_steps.of_state(pa, w),
        kind=named(lang, "pec.type", pa.pa_type, pa.pa_type),
        reasons=tuple(dict.fromkeys(messages.label(code, lang) for code in pa.reasons)),
        lines=tuple(_line(line, pa) for line in pa.lines),
        documents=tuple(_document(i.get("valueAttachment", {}))
                        for i in claim.get("supportingInfo", []) if "valueAttachment" in i),
        requests=tuple(_asked(m, pa, lang) for m in thread.messages),
        answers=tuple(_given(m) for m in given.messages),
    )  # fmt: skip


def _line(line: Any, pa: PriorAuthorization) -> LineView:
    granted = pa.left(line.sequence)
    return LineView(
        line.sequence, line.code, line.quantity, line.amount,
        None if granted is None else granted.quantity,
        None if granted is None else granted.amount,
        None if granted is None else granted.quantity_left,
    )  # fmt: skip


def _document(attachment: dict[str, Any]) -> Document:
    size = int(attachment.get("size", 0))
    return Document(str(attachment.get("title", "")), str(attachment.get("contentType", "")),
                    max(1, -(-size // 1024)))  # fmt: skip


def _asked(message: Message, pa: PriorAuthorization, lang: str) -> Asked:
    body = orjson.loads(message.body)
    note = " ".join(p["contentString"] for p in body.get("payload", []) if "contentString" in p)
    state = information.request_state(message, pa).value
    return Asked(message.id, message.at, messages.label(message.reason, lang), note, state)


def _given(message: Message) -> Given:
    body = orjson.loads(message.body)
    payload = body.get("payload", [])
    return Given(
        message.id, message.at,
        tuple(p["contentString"] for p in payload if "contentString" in p),
        tuple(_document(p["contentAttachment"]) for p in payload if "contentAttachment" in p),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Attestation:
    """What the printed attestation says beyond the prise en charge itself."""

    payer: str
    verification: str  # the id and a short checksum, that the gateway alone can compute


def attestation(found: Detail, ref: ReferenceData, key: bytes, lang: str) -> Attestation:
    """The attestation of a granted prise en charge."""
    pa = found.pa
    payer = named(lang, "payer", pa.payer, labels.payer_label(ref, pa.payer))
    return Attestation(payer, f"{pa.id}-{checksum(pa, key)}")


def checksum(pa: PriorAuthorization, key: bytes) -> str:
    """Eight characters binding the id to the validity and what is granted: a copy altered
    by hand no longer matches what the gateway computes for it."""
    granted = ",".join(f"{g.sequence}:{g.quantity}:{g.amount.centimes}" for g in pa.granted)
    said = f"{pa.id}|{pa.valid_from}|{pa.valid_until}|{granted}".encode()
    digest = hmac.new(key, said, hashlib.sha256).hexdigest()[:8].upper()
    return f"{digest[:4]}-{digest[4:]}"


def when(value: date | datetime | None, lang: str) -> str:
    """A date or an instant as people read it ('' for none)."""
    if value is None:
        return ""
    return moment(value, lang) if isinstance(value, datetime) else day(value, lang)


def money(value: Money | None, lang: str) -> str:
    """An amount in dirhams ('' for none)."""
    return "" if value is None else amount(value, lang)
