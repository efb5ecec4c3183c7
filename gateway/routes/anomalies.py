"""A payer's reviewers' anomaly flags as FHIR DetectedIssue: searched and read by its
reviewers only, within their payer (another payer's flag: 404; a provider: 403)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from domain.anomaly_flags import FlagQuery
from domain.services import anomalies
from domain.services.prior_auth import Reviewer
from fhir_profiles import detected_issue
from fhir_profiles.bundle import searchset
from gateway.deps import SettingsDep, gateway_of, reviewing
from gateway.fhirjson import fhir_response
from gateway.search import MAX_COUNT, MAX_VALUE_CHARS, InvalidSearch, ResourceId, date_range

router = APIRouter(prefix="/fhir", tags=["anomalies"])
Searcher = Annotated[Reviewer, Depends(reviewing("DetectedIssue", "s"))]
Reader = Annotated[Reviewer, Depends(reviewing("DetectedIssue", "r"))]
PARAMETERS = frozenset({"status", "code", "provider", "identified", "_count", "_offset"})


@router.get("/DetectedIssue", name="anomalies.search")
async def search(request: Request, reviewer: Searcher, settings: SettingsDep) -> Response:
    """The reviewer's payer's flags, newest first, paged."""
    values = request.query_params
    unknown = set(values) - PARAMETERS
    if unknown:
        raise InvalidSearch(f"Paramètre de recherche non pris en charge : {sorted(unknown)[0]}")
    for value in (v for name in values for v in values.getlist(name)):
        if len(value) > MAX_VALUE_CHARS or not value.isprintable():
            raise InvalidSearch("Valeur de recherche invalide")
    count = _int(values.get("_count"), 20, 1, MAX_COUNT, "_count")
    offset = _int(values.get("_offset"), 0, 0, 1_000_000, "_offset")
    statuses = _tokens(values.getlist("status"))
    codes = _tokens(values.getlist("code"))
    low, high = date_range(values.getlist("identified"))
    base = settings.fhir_base
    if statuses and detected_issue.STATUS not in statuses:
        flags, total = [], 0  # every flag is preliminary
    else:
        query = FlagQuery(reviewer.payer, codes, values.get("provider"), low, high, count, offset)
        flags, total = await anomalies.search_flags(
            reviewer, query, ports=gateway_of(request).anomalies
        )
    kept = [(k, v) for k, v in values.multi_items() if k != "_offset"]
    url = f"{base}/DetectedIssue?" + "&".join(f"{k}={v}" for k, v in kept)
    url = url.rstrip("?&") + ("&" if kept else "")
    more = offset + len(flags) < total
    return fhir_response(
        searchset(
            [detected_issue.render(flag) for flag in flags],
            total,
            self_url=f"{url}_offset={offset}",
            next_url=f"{url}_offset={offset + count}" if more else None,
            base_url=base,
        )
    )


@router.get("/DetectedIssue/{flag_id}", name="anomalies.read")
async def read(flag_id: ResourceId, request: Request, reviewer: Reader) -> Response:
    """One of the reviewer's payer's flags."""
    flag = await anomalies.read_flag(reviewer, flag_id, ports=gateway_of(request).anomalies)
    return fhir_response(detected_issue.render(flag))


def _tokens(values: list[str]) -> tuple[str, ...]:
    """token parameters: system|code or code, comma-separated, repeated."""
    found = []
    for value in values:
        for token in value.split(","):
            system, _, code = token.rpartition("|")
            if system and system != detected_issue.CS_ANOMALY:
                raise InvalidSearch(f"Système de code inconnu : {system}")
            if code:
                found.append(code)
    return tuple(found)


def _int(value: str | None, default: int, low: int, high: int, name: str) -> int:
    if value is None:
        return default
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise InvalidSearch(f"{name} doit être un entier entre {low} et {high}")
    return int(value)
