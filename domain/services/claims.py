"""The claim use case: tiers payant at the counter, line by line, through the exchange pipeline.

Its own step is the decision: the patient's rights on the date of care, the provider's
admission, the prises en charge the lines cite (each checked, then used by the lines the payer
pays, or held for a while by a counter check), then the adjudication of every line
(domain.rules.adjudication). What it changes is recorded with the exchange, in one write:
- the prises en charge used or held, by compare-and-set (a claim racing another for the same
  units is decided again from the new state: one of them gets them);
- the RO benefit made payable to the provider, under an id derived from the provider and the
  claim's business identifier: the same claim sent again is refused, never paid twice;
- its payable lines, with that benefit: the patient's claim history, which the checks of the
  next claims read (domain.claim_history).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain import anomaly_flags, claim_history, ledger
from domain import prior_auth as pa_states
from domain.authorization_ports import (
    AnswerRenderer,
    AuthorizationStore,
    ClaimHistoryReader,
    LedgerReader,
)
from domain.claims import (
    PAYABLE,
    Adjudication,
    ClaimHistory,
    ClaimLine,
    ClaimRequest,
    ClaimUse,
    Insured,
    SubmitClaim,
)
from domain.eligibility import EligibilityDecision, EligibilityStatus
from domain.errors import DomainError, InvalidRequest
from domain.members import AldGrant, EligibilityFacts
from domain.ports import MemberDirectory
from domain.prior_auth import PriorAuthorization, Reservation
from domain.records import (
    Answer,
    AuditEntry,
    AuthorizationChange,
    Convention,
    Effects,
    ExchangeQuery,
    ExchangeRecord,
    Recording,
    Requester,
    StoredAuthorization,
)
from domain.reference import ReferenceData
from domain.rules.adjudication import adjudicate, rejected
from domain.rules.rights import decide_eligibility
from domain.services import exchanges
from domain.services.exchanges import Exchange, ExchangePorts, Form, Stamp, Submission

CLAIM = Exchange(kind="claim", request_type="Claim", response_type="ClaimResponse")


@dataclass(frozen=True, slots=True)
class ClaimPorts:
    """What the claim exchange needs beyond the pipeline's ports."""

    exchange: ExchangePorts
    members: MemberDirectory
    authorizations: AuthorizationStore
    render: AnswerRenderer  # a prise en charge's answer, rendered again once used
    hold_minutes: int  # how long a counter check holds the units it found
    ledger: LedgerReader
    history: ClaimHistoryReader  # the patient's earlier payable lines
    supply_days: int  # how far back a drug line looks for an earlier supply (refills)


@dataclass(frozen=True, slots=True)
class Used:
    """A prise en charge as the claim leaves it, and the version it was read at."""

    authorization: PriorAuthorization
    version: int
    request_body: bytes


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    """The adjudication, and the prises en charge the paid lines use (or a check holds)."""

    adjudication: Adjudication
    payer: str
    used: tuple[Used, ...] = ()
    history: tuple[claim_history.HistoryLine, ...] = ()  # its payable lines, once recorded
    command: SubmitClaim | None = None  # what was adjudicated (its lines' signals flag it)

    @property
    def status(self) -> str:
        """Kept with the exchange: paid (something is payable), or not."""
        return "payable" if self.adjudication.payable.centimes > 0 else "not-payable"


async def submit_claim(
    submission: Submission[Form[ClaimRequest, ClaimOutcome]],
    *,
    ref: ReferenceData,
    ports: ClaimPorts,
) -> Answer:
    """Adjudicate, record and answer one claim (once per Idempotency-Key, once per
    business identifier)."""
    requester = submission.requester
    clock = ports.exchange.clock

    async def decide(request: ClaimRequest) -> ClaimOutcome:
        if not request.identifiers:
            raise InvalidRequest("Aucun identifiant de patient dans la demande")
        # A claim is payable once: its ledger entry's id is refused a second time when it is
        # recorded. One that cites a prise en charge is checked first too, as the second would
        # otherwise find the authorization used up and be answered "no prise en charge".
        source = f"{requester.tenant}:{request.claim_id}"
        cites = any(line.pa_reference for line in request.lines)
        if (
            request.use is ClaimUse.CLAIM
            and cites
            and any(e.kind is ledger.EntryKind.CLAIM for e in await ports.ledger.by_source(source))
        ):
            raise ledger.AlreadyRecorded(
                f"La demande {request.claim_id[:64]} a déjà été rendue payable : une demande "
                "n'est payée qu'une fois (une correction cite la demande qu'elle corrige)"
            )
        day = min((line.service_date for line in request.lines), default=request.filed_on)
        facts = await ports.members.find(request.identifiers)
        rights = decide_eligibility(facts, day, ref)
        payer = rights.payer or ""
        if not (rights.status.in_force or rights.status is EligibilityStatus.SUSPENDED):
            return ClaimOutcome(_all_rejected(request, "droits-non-ouverts", ref), payer)
        found = await _authorizations(request, requester, ports)
        now = clock.now()
        holds = _Holds(found, requester.tenant, now, request.use, ports.hold_minutes)
        valid = holds.apply(request.lines)
        cmd = SubmitClaim(
            claim_id=request.claim_id,
            provider_id=requester.tenant,
            provider_category=requester.category,
            payer=payer,
            admitted=_admitted(requester, payer),
            insured=Insured(rights.member_id or "", rights.scheme or "", _ald(facts, rights)),
            claim_type=request.claim_type,
            lines=tuple(replace(line, pa_valid=line.sequence in valid) for line in request.lines),
            filed_on=request.filed_on,
            use=request.use,
            related_claim=request.related_claim,
        )
        adjudication = adjudicate(cmd, await _history(cmd, ref, ports), ref)
        paid = [
            line
            for line, result in zip(request.lines, adjudication.lines, strict=True)
            if result.status in PAYABLE and line.sequence in valid
        ]
        used = _Holds(found, requester.tenant, now, request.use, ports.hold_minutes)
        used.apply(paid)
        payable = claim_history.made_payable(cmd, adjudication)
        return ClaimOutcome(adjudication, payer, used.changed(), payable, cmd)

    def effects(outcome: ClaimOutcome, stamp: Stamp) -> Effects:
        at = stamp.created
        changes = tuple(_change(used, requester, at, ports) for used in outcome.used)
        entries: tuple[ledger.Entry, ...] = ()
        if outcome.adjudication.use is ClaimUse.CLAIM:
            entry = ledger.claim_accepted(
                f"{requester.tenant}:{outcome.adjudication.claim_id}",  # its source, as above
                payer=outcome.payer,
                provider=requester.tenant,
                benefit=outcome.adjudication.payable,
                at=at,
            )
            entries = () if entry is None else (entry,)
        history = outcome.history if entries else ()  # a claim made payable only
        flags = () if outcome.command is None else anomaly_flags.rule_flags(
            outcome.command, outcome.adjudication, request_id=stamp.request_id,
            response_id=stamp.response_id, at=at,
        )  # fmt: skip
        return Effects(changes=changes, entries=entries, history=history, flags=flags)

    return await exchanges.submit(CLAIM, submission, decide, ports.exchange, effects)


async def _history(cmd: SubmitClaim, ref: ReferenceData, ports: ClaimPorts) -> ClaimHistory:
    """The patient's history the lines are checked against, in one read; but the lines of the
    claim itself (sent again: refused as paid already when recorded) and of the one it
    corrects."""
    since = claim_history.lookback(cmd.lines, cmd.payer, ref, supply_days=ports.supply_days)
    if since is None or not cmd.insured.member_id:
        return ClaimHistory()
    found = await ports.history.lines(
        cmd.insured.member_id, since, claim_history.prescriptions(cmd.lines)
    )
    tenant = cmd.provider_id
    excluding = {claim_history.claim_source(tenant, cmd.claim_id)}
    if cmd.related_claim is not None:
        excluding.add(claim_history.claim_source(tenant, cmd.related_claim))
    return claim_history.as_history(found, excluding=excluding)


def _change(
    used: Used, requester: Requester, at: datetime, ports: ClaimPorts
) -> AuthorizationChange:
    """A prise en charge used (or held) by the claim, its answer rendered again."""
    pa = used.authorization
    audit = AuditEntry(
        at, CLAIM.action("use-authorization"), 200, requester.tenant, requester.client_id,
        f"ClaimResponse/{pa.id}",
    )  # fmt: skip
    return AuthorizationChange(pa, used.version, ports.render(used.request_body, pa, at), audit)


class _Holds:
    """The prises en charge a claim's lines use (or a counter check holds), line after line,
    from the state each was read at."""

    def __init__(
        self,
        found: dict[str, StoredAuthorization],
        tenant: str,
        now: datetime,
        use: ClaimUse,
        hold_minutes: int,
    ) -> None:
        self._found = found
        self._state = {ref: stored.authorization for ref, stored in found.items()}
        self._tenant = tenant
        self._now = now
        self._use = use
        self._until = now + timedelta(minutes=hold_minutes)

    def apply(self, lines: list[ClaimLine] | tuple[ClaimLine, ...]) -> set[int]:
        """The sequences of the lines a prise en charge of the provider covers, each using it."""
        covered = set()
        for line in lines:
            reference = line.pa_reference
            pa = None if reference is None else self._state.get(reference)
            if pa is None or reference is None:
                continue
            try:
                self._state[reference] = self._use_one(pa, line)
            except DomainError:  # not enough left, expired, cancelled, another line's
                continue
            covered.add(line.sequence)
        return covered

    def changed(self) -> tuple[Used, ...]:
        """The prises en charge the lines changed, with the version each was read at."""
        return tuple(
            Used(self._state[ref], stored.version, stored.request_body)
            for ref, stored in self._found.items()
            if self._state[ref] != stored.authorization
        )

    def _use_one(self, pa: PriorAuthorization, line: ClaimLine) -> PriorAuthorization:
        granted = next((g for g in pa.lines if g.code == line.code), None)
        if granted is None:
            raise InvalidRequest("La prise en charge citée ne porte pas ce produit ou cet acte")
        hold = f"{self._tenant}:{pa.id}:{granted.sequence}"  # one per provider and line
        if self._use is ClaimUse.PREDETERMINATION:
            held = Reservation(hold, granted.sequence, line.quantity, line.billed, self._until)
            return pa_states.reserve(pa, held, day=line.service_date, now=self._now)
        mine = any(r.id == hold and r.held(self._now) for r in pa.reservations)
        return pa_states.consume(
            pa, granted.sequence, line.quantity, line.billed, day=line.service_date,
            now=self._now, reservation=hold if mine else None,
        )  # fmt: skip


async def _authorizations(
    request: ClaimRequest, requester: Requester, ports: ClaimPorts
) -> dict[str, StoredAuthorization]:
    """The provider's own prises en charge the lines cite (another's is as good as none)."""
    found = {}
    for reference in sorted({line.pa_reference for line in request.lines if line.pa_reference}):
        stored = await ports.authorizations.get(reference)
        if stored is not None and stored.authorization.tenant == requester.tenant:
            found[reference] = stored
    return found


def _admitted(requester: Requester, payer: str) -> bool:
    """Admitted to the payer's tiers payant, convention active (unknown: not refused here,
    the token's admission is checked where it is carried)."""
    admission = requester.admission
    if admission is None:
        return True
    return payer in admission.payers and admission.convention is Convention.ACTIVE


def _ald(facts: list[EligibilityFacts], rights: EligibilityDecision) -> tuple[AldGrant, ...]:
    """The long-term conditions of the member the rights were decided for."""
    for found in facts:
        if found.member.member_id == rights.member_id:
            return found.member.ald
    return ()


def _all_rejected(request: ClaimRequest, reason: str, ref: ReferenceData) -> Adjudication:
    """Every line refused for one reason (the patient is not covered)."""
    lines = tuple(rejected(line, reason, ref.version) for line in request.lines)
    return Adjudication(request.claim_id, request.use, lines, None, ref.version)


async def read_answer(
    requester: Requester, response_id: str, *, ports: ClaimPorts
) -> ExchangeRecord:
    """A claim's ClaimResponse, if it is the requester's (another's is not found)."""
    return await exchanges.read(CLAIM, requester, response_id, by_request=False,
                                ports=ports.exchange)  # fmt: skip


async def read_request(
    requester: Requester, request_id: str, *, ports: ClaimPorts
) -> ExchangeRecord:
    """A Claim billed, if it is the requester's (another's is not found)."""
    return await exchanges.read(CLAIM, requester, request_id, by_request=True,
                                ports=ports.exchange)  # fmt: skip


async def search_with(
    requester: Requester, query: ExchangeQuery, *, ports: ClaimPorts, also: tuple[Exchange, ...]
) -> tuple[list[ExchangeRecord], int]:
    """The requester's claims, and the exchanges `also` names, matching a search."""
    return await exchanges.search(CLAIM, requester, query, ports.exchange, also)


class Cancelled(StrEnum):
    """What cancelling a claim did."""

    REVERSED = "reversed"  # its benefit is no longer payable
    ALREADY = "already"  # it was cancelled before (a retried Task acts once)
    NOTHING = "nothing"  # nothing of it was payable: nothing to undo


async def cancel_claim(
    requester: Requester, request_id: str, business_id: str, *, ports: ClaimPorts
) -> Cancelled:
    """Withdraw a claim of the requester's before it is settled: its benefit is reversed in
    the ledger, once. A claim already paid is corrected by a new claim, not cancelled
    (AlreadySettled); another's is not found."""
    await exchanges.read(CLAIM, requester, request_id, by_request=True, ports=ports.exchange)
    entries = await ports.ledger.by_source(f"{requester.tenant}:{business_id}")
    if any(entry.kind is ledger.EntryKind.REVERSAL for entry in entries):
        return Cancelled.ALREADY
    accepted = next((e for e in entries if e.kind is ledger.EntryKind.CLAIM), None)
    if accepted is None:
        return Cancelled.NOTHING
    now = ports.exchange.clock.now()
    undone = ledger.reversal(accepted, at=now, settled=entries)
    audit = AuditEntry(now, CLAIM.action("cancel"), 200, requester.tenant, requester.client_id,
                       f"Claim/{request_id}")  # fmt: skip
    try:
        await ports.exchange.recorder.record(
            Recording(None, audit, effects=Effects(entries=(undone,)))
        )
    except ledger.AlreadyRecorded:  # a concurrent cancel got there first
        return Cancelled.ALREADY
    return Cancelled.REVERSED


async def claim_state(
    requester: Requester, record: ExchangeRecord, business_id: str, *, ports: ClaimPorts
) -> str:
    """Where a claim of the requester's stands: cancelled once reversed, else as decided."""
    entries = await ports.ledger.by_source(f"{requester.tenant}:{business_id}")
    if any(entry.kind is ledger.EntryKind.REVERSAL for entry in entries):
        return "cancelled"
    return record.status
