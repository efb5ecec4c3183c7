"""The provider's statement as FHIR: the `$statement` operation's Parameters.

`GET [base]/ClaimResponse/$statement` answers a Parameters resource: the day it was read
(`date`), one `line` per claim and, when more follow, the URL of the next page (`next`).
A line's parts: `state` (due | overdue | paid | rejected), `claim` (the claim's business
identifier), `response` (its ClaimResponse, for a rejected claim), `payer`, `amount` (what
the payer owes, MAD), `accepted` (`received` for a rejected claim), `due` (the promised
date), `age` and `overdue` (days), `bucket` (the ageing band), `paid` and `payment` (the
ledger entry of the transfer that settled it), and each `reason` a rejected claim was refused
for.

Why Parameters rather than a searchset of ClaimResponse: a line joins what several resources
hold (the ClaimResponse's promise, the ledger's payment, the clock of the day), and the stored
ClaimResponse must stay as it was answered. A PaymentReconciliation per transfer (details per
claim) is the settlement's resource; a line names it by `payment`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from domain.errors import DomainError
from domain.payment_clock import ClaimState, Clock
from domain.records import ExchangeRecord
from domain.services.statement import StatementPage
from fhir_profiles import claim_billing_in, claim_out, systems

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rejection:
    """A claim answered with nothing payable, as its stored ClaimResponse says."""

    claim_id: str
    response_id: str
    created: datetime
    reasons: tuple[tuple[str, str], ...]  # (code, French label), each once, in order


def rejection(record: ExchangeRecord) -> Rejection:
    """What the provider reads of a rejected claim: its id and the reasons of its lines."""
    body = orjson.loads(record.response_body)
    claim_id = _business_id(record)
    reasons: dict[str, str] = {}
    for item in body.get("item", []):
        for adjudication in item.get("adjudication", []):
            for coding in adjudication.get("reason", {}).get("coding", []):
                reasons.setdefault(coding.get("code", ""), coding.get("display", ""))
    return Rejection(claim_id, record.id, record.created, tuple(reasons.items()))


def _business_id(record: ExchangeRecord) -> str:
    """The provider's number for its claim, from the stored Claim; else the Claim's id."""
    claim = orjson.loads(record.request_body)
    if not isinstance(claim, dict):
        return record.request_id
    try:
        return claim_billing_in.business_id(claim)
    except DomainError:  # neither identifier nor id: the id it was stored under
        return record.request_id


def rejections(records: Iterable[ExchangeRecord]) -> list[Rejection]:
    """The rejected claims among stored not-payable answers: a counter check
    (use = predetermination) that found nothing payable asked for no payment, so is left out."""
    return [rejection(r) for r in records if orjson.loads(r.response_body).get("use") == "claim"]


def from_domain(page: StatementPage, *, next_url: str | None) -> Json:
    """The Parameters of one page of the statement."""
    parameters: list[Json] = [{"name": "date", "valueDate": page.today.isoformat()}]
    parameters += [{"name": "line", "part": _accepted(line)} for line in page.lines]
    parameters += [{"name": "line", "part": _rejected(r)} for r in rejections(page.rejected)]
    if next_url is not None:
        parameters.append({"name": "next", "valueUri": next_url})
    return {"resourceType": "Parameters", "parameter": parameters}


def _accepted(line: Clock) -> list[Json]:
    claim = line.claim
    parts: list[Json] = [
        {"name": "state", "valueCode": line.state.value},
        {"name": "claim", "valueIdentifier": {"value": claim.claim_id}},
        {"name": "payer", "valueString": claim.payer},
        {"name": "amount", "valueMoney": claim_out._money(claim.amount)},
        {"name": "accepted", "valueDateTime": claim_out._instant(claim.accepted_at)},
    ]
    if claim.due is not None:
        parts.append({"name": "due", "valueDate": claim.due.isoformat()})
    parts += [
        {"name": "age", "valueInteger": line.age},
        {"name": "overdue", "valueInteger": line.overdue},
    ]
    if line.bucket is not None:
        parts.append({"name": "bucket", "valueString": line.bucket})
    if claim.paid_at is not None and claim.payment is not None:
        parts.append({"name": "paid", "valueDateTime": claim_out._instant(claim.paid_at)})
        parts.append({"name": "payment", "valueIdentifier": {"value": claim.payment}})
    return parts


def _rejected(rejected: Rejection) -> list[Json]:
    parts: list[Json] = [
        {"name": "state", "valueCode": ClaimState.REJECTED.value},
        {"name": "claim", "valueIdentifier": {"value": rejected.claim_id}},
        {
            "name": "response",
            "valueReference": {"reference": f"ClaimResponse/{rejected.response_id}"},
        },
        {"name": "received", "valueDateTime": claim_out._instant(rejected.created.astimezone(UTC))},
    ]
    parts += [
        {
            "name": "reason",
            "valueCoding": {"system": systems.CS_REASON, "code": code, "display": label},
        }
        for code, label in rejected.reasons
    ]
    return parts
