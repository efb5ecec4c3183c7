"""FHIR search parameters of CoverageEligibilityResponse, parsed into an ExchangeQuery."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from domain.errors import MalformedRequest
from domain.members import PersonIdentifier
from domain.records import ExchangeQuery
from domain.reference import ReferenceData
from domain.rules.identifiers import normalize_identifier
from fhir_profiles.systems import kind_of

MAX_COUNT = 100
SUPPORTED = {"patient", "patient:identifier", "created", "request", "_count", "_offset"}


class InvalidSearch(MalformedRequest):
    """A search parameter that cannot be understood (400)."""

    code = "parametre-invalide"


def parse_query(
    params: Sequence[tuple[str, str]], *, tenant: str, kind: str, ref: ReferenceData
) -> ExchangeQuery:
    """Turn query parameters into criteria; unknown parameters are refused, not ignored."""
    values: dict[str, list[str]] = {}
    for name, value in params:
        if name not in SUPPORTED:
            raise InvalidSearch(f"Paramètre de recherche non pris en charge : {name}")
        values.setdefault(name, []).append(value)
    created_from, created_to = _created_range(values.get("created", []))
    return ExchangeQuery(
        tenant=tenant,
        kind=kind,
        patient_identifier=_identifier(values, ref),
        patient_ref=_single(values, "patient"),
        request_id=_request_id(_single(values, "request")),
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


def _request_id(value: str | None) -> str | None:
    if value is None:
        return None
    return value.removeprefix("CoverageEligibilityRequest/")


def _int(value: str | None, default: int, low: int, high: int, name: str) -> int:
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
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
    except ValueError as exc:
        raise InvalidSearch(f"Date invalide pour created : {text}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return prefix, moment, moment + timedelta(seconds=1)
