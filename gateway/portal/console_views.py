"""How the console shows a prise en charge to a payer's reviewer: a queue's row, its lines,
the exchange of information (questions, answers, documents), time left in words, and the
reason codes a reviewer chooses from. Nothing here decides: it only says, in the person's
language, what the use cases returned."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final

import orjson
from babel.dates import format_timedelta
from fastapi import Request

from domain.accounts import StaffSession
from domain.money import Money
from domain.prior_auth import PriorAuthorization
from domain.reasons import DECISION_REASONS, INFORMATION_REASONS
from domain.records import Message, MessageKind
from domain.reference import ReferenceData
from domain.services.information import request_state
from domain.services.prior_auth import Reviewer, ReviewVerdict
from domain.services.settlement_history import Officer
from fhir_profiles import labels, messages
from gateway.portal import catalogue, web

# The codes of the reason CodeSystem a medical reviewer decides with, by verdict (the use
# case accepts any decision reason; these are the ones a reviewer's decision means).
VERDICT_REASONS: Final[dict[ReviewVerdict, tuple[str, ...]]] = {
    ReviewVerdict.GRANT: ("accord-controle-medical",),
    ReviewVerdict.PARTIAL: ("accord-partiel-controle-medical", "quantite-au-dela-du-plafond"),
    ReviewVerdict.REFUSE: (
        "refus-non-justifie",
        "refus-hors-nomenclature",
        "indication-non-couverte",
        "specialite-non-autorisee",
        "quantite-au-dela-du-plafond",
        "droits-non-ouverts",
    ),
}
REVIEW_REASONS: Final = tuple(dict.fromkeys(c for cs in VERDICT_REASONS.values() for c in cs))
ASK_REASONS: Final = tuple(sorted(INFORMATION_REASONS))
assert set(REVIEW_REASONS) <= set(DECISION_REASONS)


def reviewer_of(session: StaffSession) -> Reviewer:
    """The signed-in reviewer as the use cases know one: its payer, and who it is."""
    return Reviewer(payer=session.org, client_id=f"staff:{session.user_id}")


def officer_of(session: StaffSession) -> Officer:
    """The signed-in payer's person following its money: its payer, and who it is."""
    return Officer(payer=session.org, client_id=f"staff:{session.user_id}")


async def provider_name(request: Request, provider: str, names: dict[str, str]) -> str:
    """A provider's name and INPE as the accounts know it (its id when unknown), each
    provider looked up once per page (`names`)."""
    if provider not in names:
        org = await web.gateway(request).accounts.accounts.organization(provider)
        names[provider] = f"{org.name} ({org.inpe})" if org and org.inpe else provider
    return names[provider]


@dataclass(frozen=True, slots=True)
class Row:
    """One pending request of the queue."""

    id: str
    kind: str
    provider: str
    care: date | None
    deadline: datetime
    left: str
    overdue: bool
    status: str


@dataclass(frozen=True, slots=True)
class Line:
    """A line asked for, and what was granted of it."""

    sequence: int
    code: str
    category: str
    quantity: int
    amount: Money
    granted: int | None
    granted_amount: Money | None


@dataclass(frozen=True, slots=True)
class Document:
    """A document a provider attached to an answer."""

    answer: str
    index: int
    title: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Said:
    """One question of the payer or one answer of the provider."""

    id: str
    kind: str  # request | answer
    at: datetime
    reason: str
    texts: tuple[str, ...]
    documents: tuple[Document, ...]
    state: str = ""  # a question's: open, answered, closed


def kind_label(ref: ReferenceData, code: str, lang: str) -> str:
    """A kind of prise en charge in the person's language."""
    french = labels.pa_types(ref).get(code, code)
    return catalogue.named(lang, "pa-type", code, french)


def time_left(deadline: datetime, now: datetime, lang: str) -> str:
    """How long is left before the deadline, or how late it is, in words."""
    locale = catalogue.LOCALES[catalogue.language(lang)]
    span = format_timedelta(abs(deadline - now), locale=locale, threshold=1.5)
    key = "review.late" if now > deadline else "review.left"
    return catalogue.text(lang, key, span=span)


def row(pa: PriorAuthorization, provider: str, ref: ReferenceData, now: datetime, lang: str) -> Row:
    """A queue's row for a pending request."""
    return Row(
        pa.id,
        kind_label(ref, pa.pa_type, lang),
        provider,
        pa.date_of_care,
        pa.deadline,
        time_left(pa.deadline, now, lang),
        pa.overdue(now),
        pa.status.value,
    )


def lines(pa: PriorAuthorization) -> list[Line]:
    """The lines asked for with what was granted of each."""
    found = []
    for line in pa.lines:
        granted = pa.left(line.sequence)
        found.append(
            Line(
                line.sequence,
                line.code,
                line.category,
                line.quantity,
                line.amount,
                None if granted is None else granted.quantity,
                None if granted is None else granted.amount,
            )
        )
    return found


def reason_labels(codes: tuple[str, ...] | list[str], lang: str) -> list[tuple[str, str]]:
    """Reason codes with their labels in the person's language (fhir_profiles.messages)."""
    return [(code, messages.label(code, lang)) for code in codes]


def exchange(pa: PriorAuthorization, found: tuple[Message, ...], lang: str) -> list[Said]:
    """The questions and answers of a prise en charge, oldest first, as the page says them."""
    answered = {m.based_on: m.id for m in found if m.kind is MessageKind.ANSWER and m.based_on}
    said = []
    for m in found:
        body = _json(m.body)
        texts = tuple(p["contentString"] for p in _payload(body) if "contentString" in p)
        docs = tuple(
            Document(
                m.id,
                i,
                str(a.get("title") or f"document-{i + 1}"),
                str(a.get("contentType", "")),
                int(a.get("size") or 0),
            )
            for i, a in enumerate(attachments(body))
        )
        state = ""
        if m.kind is MessageKind.REQUEST:
            with_answer = replace(m, answered_by=m.answered_by or answered.get(m.id))
            state = request_state(with_answer, pa).value
        label = messages.label(m.reason, lang) if m.reason else ""
        said.append(Said(m.id, m.kind.value, m.at, label, texts, docs, state))
    return said


def sent_with_request(request_body: bytes) -> list[dict[str, Any]]:
    """The documents the provider joined to its request (the Claim's supportingInfo)."""
    found = _json(request_body).get("supportingInfo", [])
    infos = [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []
    return [i["valueAttachment"] for i in infos if isinstance(i.get("valueAttachment"), dict)]


def request_documents(rid: str, request_body: bytes) -> tuple[Document, ...]:
    """Those documents as the request's page lists them."""
    return tuple(
        Document(rid, i, str(a.get("title") or f"document-{i + 1}"),
                 str(a.get("contentType", "")), int(a.get("size") or 0))
        for i, a in enumerate(sent_with_request(request_body))
    )  # fmt: skip


def attachments(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The attachments a stored Communication carries, in payload order."""
    return [p["contentAttachment"] for p in _payload(body) if "contentAttachment" in p]


def message_body(message: Message) -> dict[str, Any]:
    """A stored message's FHIR resource."""
    return _json(message.body)


def _payload(body: dict[str, Any]) -> list[dict[str, Any]]:
    found = body.get("payload", [])
    return [p for p in found if isinstance(p, dict)] if isinstance(found, list) else []


def _json(raw: bytes) -> dict[str, Any]:
    try:
        found = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}
