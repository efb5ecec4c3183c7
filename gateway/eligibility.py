"""The eligibility exchange: FHIR in, domain decision, FHIR out, recorded and audited.

Runs in a worker thread (SQL and Redis calls block); routes only hand it the parsed body.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from domain.services.eligibility import check_eligibility, record_exchange

from domain.errors import NotFound
from domain.ports import AuditEntry, ExchangeQuery, ExchangeRecord
from fhir_profiles import eligibility_in, eligibility_out
from gateway.auth import Caller
from gateway.bootstrap import Container
from gateway.fhirjson import dumps
from gateway.guard import guarded

KIND = "eligibility"


@dataclass(frozen=True, slots=True)
class Submitted:
    """What the route answers: the response's bytes and the ids it was stored under."""

    body: bytes
    response_id: str
    request_id: str


def submit(container: Container, caller: Caller, body: dict[str, Any]) -> Submitted:
    """Decide, answer and record one CoverageEligibilityRequest."""
    with guarded(container, caller, "eligibility.check"):
        ref, now = container.ref, container.clock.now()
        parsed = eligibility_in.to_domain(body, ref=ref, today=now.date())
        outcome = check_eligibility(
            parsed.command, uow=container.uow(), cache=container.cache, ref=ref
        )
        response_id, request_id = str(uuid.uuid4()), str(uuid.uuid4())
        response = eligibility_out.from_domain(
            parsed,
            outcome,
            response_id=response_id,
            request_id=request_id,
            created=now,
            requestor_inpe=caller.inpe,
        )
        answer = dumps(response)
        record = ExchangeRecord(
            id=response_id,
            kind=KIND,
            tenant=caller.tenant,
            created=now,
            request_id=request_id,
            status=outcome.decision.status.value,
            patient_ref=eligibility_in.patient_reference(parsed),
            patient_identifiers=parsed.command.identifiers,
            request_body=dumps(eligibility_out.request_resource(parsed, request_id)),
            response_body=answer,
        )
        audit = AuditEntry(
            at=now,
            action="eligibility.check",
            outcome=200,
            tenant=caller.tenant,
            client_id=caller.client_id,
            resource=f"CoverageEligibilityResponse/{response_id}",
            detail=outcome.decision.status.value,
        )
        record_exchange(record, audit, uow=container.uow())
        container.extras["metrics"].decision(outcome.decision.status.value, outcome.from_cache)
        return Submitted(answer, response_id, request_id)


def read_response(container: Container, caller: Caller, response_id: str) -> bytes:
    """A stored CoverageEligibilityResponse of the caller's (another's answers 404)."""
    with guarded(
        container, caller, "eligibility.read", f"CoverageEligibilityResponse/{response_id}"
    ):
        with container.uow() as uow:
            record = uow.exchanges.get(caller.tenant, KIND, response_id)
        if record is None:
            raise NotFound("Aucune réponse d'éligibilité avec cet identifiant")
        return record.response_body


def read_request(container: Container, caller: Caller, request_id: str) -> bytes:
    """A stored CoverageEligibilityRequest of the caller's (another's answers 404)."""
    with guarded(container, caller, "eligibility.read", f"CoverageEligibilityRequest/{request_id}"):
        with container.uow() as uow:
            record = uow.exchanges.get_by_request(caller.tenant, KIND, request_id)
        if record is None:
            raise NotFound("Aucune demande d'éligibilité avec cet identifiant")
        return record.request_body


def search(
    container: Container, caller: Caller, query: ExchangeQuery
) -> tuple[list[ExchangeRecord], int]:
    """The caller's stored answers matching a search, newest first."""
    with guarded(container, caller, "eligibility.search"), container.uow() as uow:
        return uow.exchanges.search(query)
