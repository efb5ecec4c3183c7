"""What a caller writes in a URL, checked at the edge: resource ids and search parameters.

Nothing a caller typed reaches the database or a log unchecked: ids have the FHIR id syntax,
search values are bounded and free of control characters (PostgreSQL refuses NUL in text, and
the driver's error would quote the value), numbers are ASCII digits, dates stay in range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import Path

from domain.errors import MalformedRequest
from domain.members import PersonIdentifier
from domain.prior_auth import PaStatus
from domain.records import ExchangeQuery
from domain.reference import ReferenceData
from domain.rules.identifiers import normalize_identifier
from fhir_profiles.systems import kind_of

MAX_COUNT = 100
SUPPORTED = {"patient", "patient:identifier", "created", "request", "_count", "_offset"}
ID_PATTERN = r"^[A-Za-z0-9\-\.]{1,64}$"  # FHIR R4 id (datatypes.html#id)
TYPE_PATTERN = r"^[A-Z][A-Za-z]{0,63}$"  # a resource type name
# A reference or an identifier is far shorter; a caller sending more is not searching.
MAX_VALUE_CHARS = 256
_FHIR_ID = re.compile(ID_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NUMBER = re.compile(r"[0-9]{1,9}")  # str.isdigit() also takes "²", which int() refuses
_PARAMETER_NAME = re.compile(r"[A-Za-z0-9_:.\-]{1,64}")


def _parameter(name: str, description: str, schema: dict[str, object]) -> dict[str, object]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


_TEXT = {"type": "string", "maxLength": MAX_VALUE_CHARS}
# The search parameters as OpenAPI declares them (the route reads them itself, to refuse
# unknown ones): documentation, and what the OpenAPI fuzzing exercises.
SEARCH_OPENAPI = {
    "parameters": [
        _parameter("patient", "Patient reference as the request wrote it", _TEXT),
        _parameter("patient:identifier", "system|value of a published identifier system", _TEXT),
        _parameter("created", "[prefix]date or dateTime; repeat for a range",
                   {"type": "array", "items": _TEXT}),
        _parameter("request", "CoverageEligibilityRequest/[id] or [id]", _TEXT),
        _parameter("_count", "page size", {"type": "integer", "minimum": 1, "maximum": MAX_COUNT}),
        _parameter("_offset", "entries skipped", {"type": "integer", "minimum": 0}),
    ]
}  # fmt: skip

ResourceId = Annotated[str, Path(pattern=ID_PATTERN, description="FHIR id: [A-Za-z0-9-.]{1,64}")]
ResourceType = Annotated[str, Path(pattern=TYPE_PATTERN, description="a FHIR resource type")]


class InvalidSearch(MalformedRequest):
    """A search parameter that cannot be understood (400)."""

    code = "parametre-invalide"


# A prise en charge's searches add its status (ours), the FHIR outcome and its preAuthRef.
PA_STATUSES = tuple(status.value for status in PaStatus)
PA_OUTCOMES = {
    "queued": tuple(s.value for s in PaStatus if s.pending),
    "complete": tuple(s.value for s in PaStatus if not s.pending),
}
PA_SEARCH = frozenset({"status", "outcome", "preauthref"})


def parse_query(
    params: Sequence[tuple[str, str]],
    *,
    tenant: str,
    kind: str,
    ref: ReferenceData,
    request_type: str = "CoverageEligibilityRequest",
    extra: frozenset[str] = frozenset(),
) -> ExchangeQuery:
    """Turn query parameters into criteria; unknown parameters are refused, not ignored."""
    values: dict[str, list[str]] = {}
    for name, value in params:
        if name not in SUPPORTED and name not in extra:
            shown = name if _PARAMETER_NAME.fullmatch(name) else "(illisible)"
            raise InvalidSearch(f"Paramètre de recherche non pris en charge : {shown}")
        if len(value) > MAX_VALUE_CHARS or _CONTROL.search(value):
            raise InvalidSearch(f"Valeur de {name} trop longue ou avec des caractères de contrôle")
        values.setdefault(name, []).append(value)
    created_from, created_to = _created_range(values.get("created", []))
    return ExchangeQuery(
        tenant=tenant,
        kind=kind,
        patient_identifier=_identifier(values, ref),
        patient_ref=_single(values, "patient"),
        request_id=_request_id(_single(values, "request"), request_type),
        record_id=_preauthref(_single(values, "preauthref")),
        statuses=_statuses(_single(values, "status"), _single(values, "outcome")),
        created_from=created_from,
        created_to=created_to,
        limit=_int(_single(values, "_count"), 20, 1, MAX_COUNT, "_count"),
        offset=_int(_single(values, "_offset"), 0, 0, 1_000_000, "_offset"),
    )


def _single(values: Mapping[str, list[str]], name: str) -> str | None:
    found = values.get(name, [])
    if len(found) > 1:
        raise InvalidSearch(f"Le paramètre {name} ne peut être répété")
    return found[0] if found else None


def _identifier(values: Mapping[str, list[str]], ref: ReferenceData) -> PersonIdentifier | None:
    token = _single(values, "patient:identifier")
    if token is None:
        return None
    system, sep, value = token.partition("|")
    kind = kind_of(system) if sep else None
    if kind is None:
        raise InvalidSearch("patient:identifier attend système|valeur d'un système publié")
    return normalize_identifier(kind, value, ref, datetime.now(UTC).date())


def _request_id(value: str | None, request_type: str) -> str | None:
    if value is None:
        return None
    found = value.removeprefix(f"{request_type}/")
    if not _FHIR_ID.fullmatch(found):
        raise InvalidSearch(f"request attend {request_type}/[id] ou un id FHIR")
    return found


def _preauthref(value: str | None) -> str | None:
    if value is not None and not _FHIR_ID.fullmatch(value):
        raise InvalidSearch("preauthref attend la référence de prise en charge (un id FHIR)")
    return value


def _statuses(status: str | None, outcome: str | None) -> tuple[str, ...]:
    """status=granted,partial (any of ours) and outcome=queued|complete, both applying."""
    wanted = set(PA_STATUSES)
    if status is not None:
        asked = set(status.split(","))
        if not asked <= wanted:
            raise InvalidSearch(f"status attend un ou plusieurs de : {', '.join(PA_STATUSES)}")
        wanted &= asked
    if outcome is not None:
        if outcome not in PA_OUTCOMES:
            raise InvalidSearch("outcome attend queued ou complete")
        wanted &= set(PA_OUTCOMES[outcome])
    if status is None and outcome is None:
        return ()
    return tuple(s for s in PA_STATUSES if s in wanted) or ("(aucun)",)


def _int(value: str | None, default: int, low: int, high: int, name: str) -> int:
    if value is None:
        return default
    if not _NUMBER.fullmatch(value) or not low <= int(value) <= high:
        raise InvalidSearch(f"{name} doit être un entier entre {low} et {high}")
    return int(value)


def _created_range(values: list[str]) -> tuple[datetime | None, datetime | None]:
    """created=[prefix]date|dateTime, combined (e.g. created=ge2026-01-01&created=lt2026-02-01)."""
    low: datetime | None = None
    high: datetime | None = None
    for value in values:
        prefix, start, end = _date_bounds(value)
        if prefix in ("eq", "ge", "gt", "sa"):
            low = max(low or start, end if prefix in ("gt", "sa") else start)
        if prefix in ("eq", "le", "lt", "eb"):
            high = min(high or end, start if prefix in ("lt", "eb") else end)
    return low, high


def _date_bounds(value: str) -> tuple[str, datetime, datetime]:
    prefix = value[:2] if value[:2].isalpha() else "eq"
    text = value[2:] if value[:2].isalpha() else value
    if prefix not in ("eq", "ge", "gt", "le", "lt", "sa", "eb"):
        raise InvalidSearch(f"Préfixe de date non pris en charge : {prefix}")
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return prefix, start, start + timedelta(days=1)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
        return prefix, moment, moment + timedelta(seconds=1)
    except (ValueError, OverflowError) as exc:  # overflow: the last day of year 9999
        raise InvalidSearch("Date invalide pour created (AAAA-MM-JJ ou dateTime)") from exc


def reference_parameter(
    params: Sequence[tuple[str, str]], accepted: Mapping[str, tuple[str, ...]]
) -> tuple[str, str, str]:
    """The one reference parameter a search takes: (name, resource type, id), among the
    `accepted` names, each with the types it may name (`Type/[id]`; a bare id when it names
    one type only). Unknown, repeated or missing parameters are refused."""
    if len(params) != 1 or params[0][0] not in accepted:
        names = " ou ".join(accepted)
        raise InvalidSearch(f"Un seul paramètre de recherche est pris en charge : {names}")
    name, value = params[0]
    types = accepted[name]
    kind, sep, found = value.rpartition("/")
    if not sep and len(types) == 1:
        kind, found = types[0], value
    if kind not in types or not _FHIR_ID.fullmatch(found):
        expected = " ou ".join(f"{t}/[id]" for t in types)
        raise InvalidSearch(f"{name} attend {expected}")
    return name, kind, found


def date_range(values: list[str]) -> tuple[datetime | None, datetime | None]:
    """A date search parameter's bounds: [prefix]date|dateTime, repeated for a range."""
    return _created_range(values)
