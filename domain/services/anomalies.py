"""A payer's reviewers list and read its anomaly flags (domain.anomaly_flags): only their own
payer's, never another's, and never a provider (the routes admit reviewers only)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from domain.anomaly_flags import AnomalyFlag, FlagQuery
from domain.errors import NotFound
from domain.records import AuditEntry
from domain.services import exchanges
from domain.services.exchanges import ExchangePorts
from domain.services.prior_auth import Reviewer, as_requester


class FlagReader(Protocol):
    """The payer's flags, read outside the request's event loop."""

    async def search(self, query: FlagQuery) -> tuple[list[AnomalyFlag], int]: ...

    async def get(self, payer: str, flag_id: str) -> AnomalyFlag | None: ...


@dataclass(frozen=True, slots=True)
class AnomalyPorts:
    exchange: ExchangePorts
    flags: FlagReader


async def search_flags(
    reviewer: Reviewer, query: FlagQuery, *, ports: AnomalyPorts
) -> tuple[list[AnomalyFlag], int]:
    """The reviewer's payer's flags matching the query, newest first."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    found = await ports.flags.search(replace(query, payer=reviewer.payer))
    await ports.exchange.audit.append(
        _audit(ports, reviewer, "anomaly.search", None, f"{found[1]} signalement(s)")
    )
    return found


async def read_flag(reviewer: Reviewer, flag_id: str, *, ports: AnomalyPorts) -> AnomalyFlag:
    """One of the reviewer's payer's flags (another payer's is not found)."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    flag = await ports.flags.get(reviewer.payer, flag_id)
    if flag is None:
        raise NotFound(f"Signalement introuvable : DetectedIssue/{flag_id[:64]}")
    await ports.exchange.audit.append(
        _audit(ports, reviewer, "anomaly.read", f"DetectedIssue/{flag.id}", "")
    )
    return flag


def _audit(
    ports: AnomalyPorts, reviewer: Reviewer, action: str, resource: str | None, detail: str
) -> AuditEntry:
    return AuditEntry(
        at=ports.exchange.clock.now(),
        action=action,
        outcome=200,
        tenant=f"payer:{reviewer.payer}",
        client_id=reviewer.client_id,
        resource=resource,
        detail=detail,
    )
