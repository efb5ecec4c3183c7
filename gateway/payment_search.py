"""The search parameters of PaymentReconciliation and PaymentNotice, checked at the edge, and
the paging token (the position of a page's last transfer) their next links carry."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlencode

import orjson

from domain.payment_records import TransferStatus
from domain.transfer_ports import Position, TransferQuery
from fhir_profiles import systems
from gateway.search import MAX_COUNT, MAX_VALUE_CHARS, InvalidSearch, date_range

RECONCILIATION_PARAMETERS = frozenset({"payer", "status", "outcome", "created", "_count", "_page"})
NOTICE_PARAMETERS = frozenset({"created", "payment-status", "_count", "_page"})
# PaymentReconciliation.status and .outcome, as the transfer statuses they stand for.
STATUSES = {
    "active": (TransferStatus.SENT, TransferStatus.EXECUTED),
    "cancelled": (TransferStatus.REJECTED,),
    "draft": (),
    "entered-in-error": (),
}
OUTCOMES = {
    "queued": (TransferStatus.SENT,),
    "complete": (TransferStatus.EXECUTED,),
    "error": (TransferStatus.REJECTED,),
    "partial": (),
}
PAYMENT_STATUSES = frozenset({"paid", "cleared"})


def _parameter(name: str, description: str, array: bool = False) -> dict[str, object]:
    text = {"type": "string", "maxLength": MAX_VALUE_CHARS}
    schema = {"type": "array", "items": text} if array else text
    return {"name": name, "in": "query", "description": description, "schema": schema}


_PAGING = [
    {"name": "_count", "in": "query", "description": "page size",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_COUNT}},
    _parameter("_page", "the next link's token"),
]  # fmt: skip
# The parameters as OpenAPI declares them (the routes read them themselves, to refuse unknown
# ones): documentation, and what the OpenAPI fuzzing exercises.
RECONCILIATION_OPENAPI = {
    "parameters": [
        _parameter("payer", "payer code (CNSS, CNOPS), or system|code"),
        _parameter("status", "active or cancelled, comma-separated"),
        _parameter("outcome", "queued, complete or error, comma-separated"),
        _parameter("created", "[prefix]date or dateTime; repeat for a range", array=True),
        *_PAGING,
    ]
}
NOTICE_OPENAPI = {
    "parameters": [
        _parameter("created", "[prefix]date the bank executed it; repeat for a range", True),
        _parameter("payment-status", "paid (every notice is)"),
        *_PAGING,
    ]
}


def checked(params: Sequence[tuple[str, str]], allowed: frozenset[str]) -> dict[str, list[str]]:
    """The parameters by name; unknown ones and unreadable values are refused."""
    values: dict[str, list[str]] = {}
    for name, value in params:
        if name not in allowed:
            shown = name if name.isprintable() and len(name) <= 64 else "(illisible)"
            raise InvalidSearch(f"Paramètre de recherche non pris en charge : {shown}")
        if len(value) > MAX_VALUE_CHARS or not value.isprintable():
            raise InvalidSearch(f"Valeur de {name} trop longue ou avec des caractères de contrôle")
        values.setdefault(name, []).append(value)
    for name, found in values.items():
        if name != "created" and len(found) > 1:
            raise InvalidSearch(f"Le paramètre {name} ne peut être répété")
    return values


def reconciliation_query(values: dict[str, list[str]]) -> tuple[TransferQuery, bool]:
    """The query a PaymentReconciliation search stands for, and whether anything can match."""
    wanted = set(TransferStatus)
    if "status" in values:
        wanted &= _statuses(values["status"][0], STATUSES, "status")
    if "outcome" in values:
        wanted &= _statuses(values["outcome"][0], OUTCOMES, "outcome")
    low, high = date_range(values.get("created", []))
    statuses = (
        () if wanted == set(TransferStatus) else tuple(s for s in TransferStatus if s in wanted)
    )
    query = TransferQuery(
        provider="",  # set by the use case: always the caller
        payer=_payer(values.get("payer", [None])[0]),
        statuses=statuses,
        created_from=low,
        created_to=high,
        limit=_count(values),
        after=position_of(values.get("_page", [None])[0]),
    )
    return query, bool(wanted)


def notice_query(values: dict[str, list[str]]) -> tuple[TransferQuery, bool]:
    """The query a PaymentNotice search stands for (created: when the bank executed the
    transfer), and whether anything can match (every notice is `paid`)."""
    status = values.get("payment-status", [None])[0]
    codes = _codes(status) if status is not None else {"paid"}
    if not codes <= PAYMENT_STATUSES:
        raise InvalidSearch("payment-status attend paid ou cleared")
    low, high = date_range(values.get("created", []))
    query = TransferQuery(
        provider="",
        settled_from=low,
        settled_to=high,
        limit=_count(values),
        after=position_of(values.get("_page", [None])[0]),
    )
    return query, "paid" in codes


def next_url(base: str, resource: str, values: dict[str, list[str]], after: Position) -> str:
    """The link to the page after `after`, with the same criteria."""
    params = [(k, v) for k, found in values.items() if k != "_page" for v in found]
    return f"{base}/{resource}?{urlencode([*params, ('_page', token(after))])}"


def self_url(base: str, resource: str, values: dict[str, list[str]]) -> str:
    """The link to the page as asked."""
    params = [(k, v) for k, found in values.items() for v in found]
    return f"{base}/{resource}" + (f"?{urlencode(params)}" if params else "")


def token(after: Position) -> str:
    """The paging token of a position."""
    raw = orjson.dumps([after[0].isoformat(), after[1]])
    return base64.urlsafe_b64encode(raw).decode()


def position_of(value: str | None) -> Position | None:
    if value is None:
        return None
    try:
        moment, transfer_id = orjson.loads(base64.urlsafe_b64decode(value.encode()))
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None or not isinstance(transfer_id, str):
            raise ValueError(value)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidSearch("Paramètre _page illisible : suivre le lien next de la page") from exc
    return at, transfer_id


def _statuses(
    value: str, meaning: dict[str, tuple[TransferStatus, ...]], name: str
) -> set[TransferStatus]:
    codes = _codes(value)
    if not codes <= meaning.keys():
        raise InvalidSearch(f"{name} attend un ou plusieurs de : {', '.join(meaning)}")
    return {status for code in codes for status in meaning[code]}


def _codes(value: str) -> set[str]:
    """token values: code or system|code, comma-separated."""
    return {part.rpartition("|")[2] for part in value.split(",") if part}


def _payer(value: str | None) -> str | None:
    if value is None:
        return None
    system, sep, code = value.rpartition("|")
    if (sep and system != systems.PAYER_ID) or not code:
        raise InvalidSearch(f"payer attend le code d'un payeur, ou {systems.PAYER_ID}|code")
    return code


def _count(values: dict[str, list[str]]) -> int:
    text = values.get("_count", ["20"])[0]
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_COUNT:
        raise InvalidSearch(f"_count doit être un entier entre 1 et {MAX_COUNT}")
    return int(text)
