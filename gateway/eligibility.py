"""The eligibility exchange: FHIR in, domain decision, FHIR out, recorded and audited.

Blocking calls (SQL, Redis) run in worker threads. With the in-process cache a cached
decision is pure computation, answered on the event loop without a thread hop. Recording
goes through the group-commit recorder; the answer leaves once it is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool

from domain.eligibility import EligibilityOutcome
from domain.errors import NotFound
from domain.ports import AuditEntry, ExchangeQuery, ExchangeRecord, IdempotentAnswer
from domain.services.eligibility import (
    answer_from_cache,
    answer_from_decision,
    check_eligibility,
)
from fhir_profiles import eligibility_in, eligibility_out
from fhir_profiles.eligibility_in import EligibilityRequestIn
from gateway.auth import Caller
from gateway.bootstrap import Container
from gateway.fhirjson import dumps
from gateway.guard import guarded
from gateway.idempotency import kept_answer, request_hash
from gateway.ids import new_id

KIND = "eligibility"


@dataclass(frozen=True, slots=True)
class Submitted:
    """What the route answers: the response's bytes and the ids it was stored under."""

    body: bytes
    response_id: str
    request_id: str
    replayed: bool = False  # the answer kept for an Idempotency-Key, given again

    @classmethod
    def replay(cls, body: bytes) -> Submitted:
        """The answer kept for a retried request."""
        response = orjson.loads(body)
        request_id = str(response["request"]["reference"]).rpartition("/")[2]
        return cls(body, str(response["id"]), request_id, replayed=True)


async def submit(
    container: Container,
    caller: Caller,
    body: dict[str, Any],
    *,
    operation: str,
    key: str | None = None,
) -> Submitted:
    """Decide, record and answer one CoverageEligibilityRequest (once per Idempotency-Key)."""
    wanted = request_hash(operation, body) if key else ""
    if key and (kept := await kept_answer(container, caller.tenant, key, wanted)):
        return await _replay(container, caller, kept.body)
    async with guarded(container, caller, "eligibility.check"):
        now = container.clock.now()
        parsed = eligibility_in.to_domain(body, ref=container.ref, today=now.date())
        outcome = await _outcome(container, parsed)
        answer, record = _answer(container, caller, parsed, outcome, now)
    audit = _audit(container, caller, "eligibility.check", answer.response_id, record.status)
    keep = IdempotentAnswer(caller.tenant, key, wanted, 200, answer.body) if key else None
    if not await container.recorder.record(record, audit, keep):
        # A concurrent retry with the same key was recorded first: its answer is the answer.
        assert key is not None
        kept = await kept_answer(container, caller.tenant, key, wanted)
        assert kept is not None
        return await _replay(container, caller, kept.body)
    container.extras["metrics"].decision(record.status, outcome.from_cache)
    return answer


async def _replay(container: Container, caller: Caller, body: bytes) -> Submitted:
    replayed = Submitted.replay(body)
    audit = _audit(container, caller, "eligibility.replay", replayed.response_id)
    await container.recorder.record(None, audit)
    return replayed


async def _outcome(container: Container, parsed: EligibilityRequestIn) -> EligibilityOutcome:
    cmd, ref = parsed.command, container.ref
    if container.local:
        cached = answer_from_cache(cmd, cache=container.cache, ref=ref)
        if cached is not None:
            return cached
    elif container.async_cache is not None and cmd.identifiers:
        decision = await container.async_cache.get(
            cmd.identifiers[0], cmd.date_of_care, ref.version
        )
        if decision is not None:
            return answer_from_decision(decision, cmd, ref)
    looked = container.local or container.async_cache is not None  # and missed
    return await run_in_threadpool(
        lambda: check_eligibility(
            cmd, uow=container.reader(), cache=container.cache, ref=ref, look_in_cache=not looked
        )
    )


def _answer(
    container: Container,
    caller: Caller,
    parsed: EligibilityRequestIn,
    outcome: EligibilityOutcome,
    now: datetime,
) -> tuple[Submitted, ExchangeRecord]:
    response_id, request_id = new_id(), new_id()
    response = eligibility_out.from_domain(
        parsed,
        outcome,
        response_id=response_id,
        request_id=request_id,
        created=now,
        requestor_inpe=caller.inpe,
    )
    answer = Submitted(dumps(response), response_id, request_id)
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
        response_body=answer.body,
    )
    return answer, record


def _audit(
    container: Container, caller: Caller, action: str, resource_id: str, detail: str = ""
) -> AuditEntry:
    return AuditEntry(
        at=container.clock.now(),
        action=action,
        outcome=200,
        tenant=caller.tenant,
        client_id=caller.client_id,
        resource=f"CoverageEligibilityResponse/{resource_id}" if resource_id else None,
        detail=detail,
    )


async def read_response(container: Container, caller: Caller, response_id: str) -> bytes:
    """A stored CoverageEligibilityResponse of the caller's (another's answers 404)."""
    record = await _find(container, caller, "CoverageEligibilityResponse", response_id)
    return record.response_body


async def read_request(container: Container, caller: Caller, request_id: str) -> bytes:
    """A stored CoverageEligibilityRequest of the caller's (another's answers 404)."""
    record = await _find(container, caller, "CoverageEligibilityRequest", request_id)
    return record.request_body


async def _find(container: Container, caller: Caller, resource: str, wanted: str) -> ExchangeRecord:
    async with guarded(container, caller, "eligibility.read", f"{resource}/{wanted}"):
        record = await run_in_threadpool(_lookup, container, caller, resource, wanted)
        if record is None:
            raise NotFound(f"Aucune ressource {resource} avec cet identifiant")
    await container.recorder.record(None, _audit(container, caller, "eligibility.read", record.id))
    return record


def _lookup(
    container: Container, caller: Caller, resource: str, wanted: str
) -> ExchangeRecord | None:
    with container.reader() as uow:
        if resource == "CoverageEligibilityResponse":
            return uow.exchanges.get(caller.tenant, KIND, wanted)
        return uow.exchanges.get_by_request(caller.tenant, KIND, wanted)


async def search(
    container: Container, caller: Caller, query: ExchangeQuery
) -> tuple[list[ExchangeRecord], int]:
    """The caller's stored answers matching a search, newest first."""
    async with guarded(container, caller, "eligibility.search"):
        found = await run_in_threadpool(_search, container, query)
    detail = f"{found[1]} résultat(s)"
    await container.recorder.record(
        None, _audit(container, caller, "eligibility.search", "", detail)
    )
    return found


def _search(container: Container, query: ExchangeQuery) -> tuple[list[ExchangeRecord], int]:
    with container.reader() as uow:
        return uow.exchanges.search(query)
