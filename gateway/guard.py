"""Around every exchange: the per-client rate limit, and an audit record when it is refused."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.concurrency import run_in_threadpool

from adapters.sql.engine import is_database_error
from domain.errors import DomainError
from domain.ports import AuditEntry
from gateway.auth import Caller
from gateway.bootstrap import Container
from gateway.errors import GatewayError, domain_status

log = logging.getLogger("amo.audit")


@asynccontextmanager
async def guarded(
    container: Container, caller: Caller, action: str, resource: str | None = None
) -> AsyncIterator[None]:
    """Apply the rate limit, then run the exchange; audit it if it is refused."""
    wait = await _hit(container, caller.client_id)
    if wait > 0:
        await _audit_refusal(container, caller, action, resource, 429, "limite-de-debit")
        raise GatewayError(
            429,
            "limite-de-debit",
            issue_type="throttled",
            headers={"Retry-After": str(max(1, round(wait + 0.5)))},
        )
    try:
        yield
    except DomainError as exc:
        await _audit_refusal(container, caller, action, resource, domain_status(exc)[0], exc.code)
        raise


async def _hit(container: Container, client_id: str) -> float:
    if container.async_limiter is not None:  # Redis, from the event loop
        return await container.async_limiter.hit(client_id)
    if container.local:  # in-process limiter: nothing to wait for
        return container.limiter.hit(client_id)
    return await run_in_threadpool(container.limiter.hit, client_id)


async def _audit_refusal(
    container: Container,
    caller: Caller,
    action: str,
    resource: str | None,
    status: int,
    code: str,
) -> None:
    entry = AuditEntry(
        at=container.clock.now(),
        action=action,
        outcome=status,
        tenant=caller.tenant,
        client_id=caller.client_id,
        resource=resource,
        detail=code,
    )
    try:
        await container.recorder.record(None, entry)
    except Exception as exc:
        if not is_database_error(exc):
            raise
        log.warning("audit of a refused %s not written: database unavailable", action)
