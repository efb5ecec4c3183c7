"""The provider's claims page: its claims as the API stored their answers (the claim search
use case, the requester being the person's organization), each line's shares and reasons, and
what to do next, worded in the person's language as the API words its answers
(fhir_profiles.messages and the wording's billing steps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from domain.errors import DomainError
from domain.money import Money
from domain.records import ExchangeQuery, ExchangeRecord, Requester
from domain.services import claims
from domain.services.claims import ClaimPorts
from domain.services.statement import CLAIM_KIND
from fhir_profiles import claim_billing_in, messages, systems

PAGE = 25
STATUSES = ("", "payable", "not-payable")
# The ClaimResponse's shares the page shows: the AMO's (RO), the complementary's (RC), the
# patient's, and what was billed.
SHARES = {"submitted": "billed", "benefit": "ro", "complementary": "rc", "copay": "patient"}


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One line of a claim's answer."""

    sequence: int
    status: str  # accepted, reduced, rejected, incomplete ('' when not examined)
    shares: dict[str, Money]
    reasons: tuple[dict[str, str], ...]


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One claim as the page lists it."""

    id: str  # the provider's own number for it
    response: str  # its ClaimResponse's id
    created: datetime
    status: str  # payable, not-payable
    use: str  # claim, predetermination
    totals: dict[str, Money]
    lines: tuple[ClaimLine, ...]


def reason(code: str, lang: str) -> dict[str, str]:
    """A reason's label and what to do next, in that language, as the API says them."""
    step = messages.wording(lang).billing_steps.get(code, "")
    return {"code": code, "label": messages.label(code, lang), "step": step}


async def search(
    who: Requester, status: str, offset: int, lang: str, *, ports: ClaimPorts
) -> tuple[list[ClaimRow], int]:
    """A page of the organization's claims, newest first, and how many there are."""
    query = ExchangeQuery(
        who.tenant, CLAIM_KIND, statuses=(status,) if status in STATUSES[1:] else (),
        limit=PAGE, offset=max(0, offset),
    )  # fmt: skip
    records, total = await claims.search_with(who, query, ports=ports, also=())
    return [row(record, lang) for record in records], total


async def read(who: Requester, response_id: str, lang: str, *, ports: ClaimPorts) -> ClaimRow:
    """One of the organization's claims by its answer's id (another's is not found)."""
    return row(await claims.read_answer(who, response_id, ports=ports), lang)


def row(record: ExchangeRecord, lang: str) -> ClaimRow:
    """A stored claim exchange as the page shows it."""
    body = orjson.loads(record.response_body)
    totals = {SHARES[name]: amount for name, amount in _shares(body.get("total", [])).items()}
    lines = tuple(_line(item, lang) for item in body.get("item", []))
    return ClaimRow(_business_id(record), record.id, record.created, record.status,
                    str(body.get("use", "claim")), totals, lines)  # fmt: skip


def _line(item: dict[str, Any], lang: str) -> ClaimLine:
    adjudications = item.get("adjudication", [])
    status = next((e.get("valueCode", "") for e in item.get("extension", [])
                   if e.get("url") == systems.EXT_LINE_STATUS), "")  # fmt: skip
    codes = dict.fromkeys(
        coding.get("code", "")
        for adjudication in adjudications
        for coding in adjudication.get("reason", {}).get("coding", [])
    )
    shares = {SHARES[name]: amount for name, amount in _shares(adjudications).items()}
    return ClaimLine(int(item.get("itemSequence", 0)), status, shares,
                     tuple(reason(code, lang) for code in codes if code))  # fmt: skip


def _shares(adjudications: list[dict[str, Any]]) -> dict[str, Money]:
    found = {}
    for adjudication in adjudications:
        codes = [c.get("code") for c in adjudication.get("category", {}).get("coding", [])]
        name = next((c for c in codes if c in SHARES), None)
        value = adjudication.get("amount", {}).get("value")
        if name is not None and value is not None:
            found[name] = Money.mad(str(value))
    return found


def _business_id(record: ExchangeRecord) -> str:
    claim = orjson.loads(record.request_body)
    try:
        return claim_billing_in.business_id(claim) if isinstance(claim, dict) else record.request_id
    except DomainError:
        return record.request_id
