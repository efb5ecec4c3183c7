"""Paging links of a searchset Bundle of stored answers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import orjson

from domain.records import ExchangeQuery, ExchangeRecord
from fhir_profiles.bundle import searchset
from fhir_profiles.systems import system_of


@dataclass(frozen=True, slots=True)
class Searched:
    """What a search lists: the stored answers (or requests) of one exchange."""

    resource: str = "CoverageEligibilityResponse"  # the type searched, for the links
    request_type: str = "CoverageEligibilityRequest"
    requests: bool = False  # list the stored requests rather than the answers


ELIGIBILITY_ANSWERS = Searched()


def bundle_of(
    records: list[ExchangeRecord],
    total: int,
    query: ExchangeQuery,
    base: str,
    searched: Searched = ELIGIBILITY_ANSWERS,
) -> dict[str, Any]:
    """A searchset Bundle of stored answers with self and next links."""
    entries = [
        orjson.loads(record.request_body if searched.requests else record.response_body)
        for record in records
    ]
    more = query.offset + len(records) < total
    next_query = replace(query, offset=query.offset + query.limit)
    return searchset(
        entries,
        total,
        self_url=_url(base, query, searched),
        next_url=_url(base, next_query, searched) if more else None,
        base_url=base,
    )


def _url(base: str, query: ExchangeQuery, searched: Searched) -> str:
    params: list[tuple[str, str]] = []
    if query.patient_ref:
        params.append(("patient", query.patient_ref))
    if query.request_id:
        params.append(("request", f"{searched.request_type}/{query.request_id}"))
    if query.record_id:
        params.append(("preauthref", query.record_id))
    if query.statuses:
        params.append(("status", ",".join(query.statuses)))
    if query.created_from:
        params.append(("created", "ge" + query.created_from.isoformat()))
    if query.created_to:
        params.append(("created", "lt" + query.created_to.isoformat()))
    if query.patient_identifier:
        ident = query.patient_identifier
        params.append(("patient:identifier", f"{system_of(ident.kind)}|{ident.value}"))
    params += [("_count", str(query.limit)), ("_offset", str(query.offset))]
    return f"{base}/{searched.resource}?{urlencode(params)}"
