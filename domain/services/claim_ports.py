"""What the claim exchange is named and needs, shared by billing (domain.services.claims) and
by cancellations and corrections (domain.services.claim_corrections)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.authorization_ports import (
    AnswerRenderer,
    AuthorizationStore,
    ClaimHistoryReader,
    LedgerReader,
    PatientKey,
    StoredClaimReader,
)
from domain.ports import MemberDirectory
from domain.prior_auth import PriorAuthorization
from domain.records import AuditEntry, AuthorizationChange, Requester, StoredAuthorization
from domain.services.exchanges import Exchange, ExchangePorts

CLAIM = Exchange(kind="claim", request_type="Claim", response_type="ClaimResponse")


@dataclass(frozen=True, slots=True)
class ClaimPorts:
    """What the claim exchange needs beyond the pipeline's ports."""

    exchange: ExchangePorts
    members: MemberDirectory
    authorizations: AuthorizationStore
    render: AnswerRenderer  # a prise en charge's answer, rendered again once used
    hold_minutes: float  # how long a counter check holds the units it found
    ledger: LedgerReader
    history: ClaimHistoryReader  # the patient's earlier payable lines
    supply_days: int  # how far back a drug line looks for an earlier supply (refills)
    stored: StoredClaimReader  # what a stored claim cites and corrects
    patient: PatientKey  # the patient's key, matched with the one a prise en charge records


def source(requester: Requester, claim_id: str) -> str:
    """What a claim's ledger entries record: the provider and its business identifier."""
    return f"{requester.tenant}:{claim_id}"


def authorization_change(
    pa: PriorAuthorization,
    stored: StoredAuthorization,
    *,
    requester: Requester,
    at: datetime,
    verb: str,
    ports: ClaimPorts,
) -> AuthorizationChange:
    """A prise en charge as a claim leaves it, from the state `stored` was read at, its answer
    rendered again."""
    audit = AuditEntry(
        at, CLAIM.action(verb), 200, requester.tenant, requester.client_id,
        f"ClaimResponse/{pa.id}",
    )  # fmt: skip
    return AuthorizationChange(pa, stored.version, ports.render(stored.request_body, pa, at), audit)
