"""The claim use case: tiers payant at the counter, line by line, through the exchange pipeline.

Its own step is the decision: the patient's rights on the date of care, the provider's
admission, the prises en charge the lines cite (each checked, then used by the lines the payer
pays, or held for a while by a counter check), then the adjudication of every line
(domain.rules.adjudication). A prise en charge covers only the provider that asked for it and
the patient it was asked for (the key it records, `ClaimPorts.patient`): another's is as good
as none. What it changes is recorded with the exchange, in one write:
- the prises en charge used or held, by compare-and-set (a claim racing another for the same
  units is decided again from the new state: one of them gets them);
- the RO benefit made payable to the provider, under an id derived from the provider and the
  claim's business identifier: the same claim sent again is refused, never paid twice;
- its payable lines, with that benefit: the patient's claim history, which the checks of the
  next claims read (domain.claim_history);
- for a correction, the claim it corrects reversed and the units that claim used given back
  (domain.services.claim_corrections), its lines decided as if those units had never been used.
A counter check's answer says until when it holds the units it found.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain import anomaly_flags, claim_history, ledger
from domain import prior_auth as pa_states
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
from domain.prior_auth import PaLine, PriorAuthorization, Reservation
from domain.records import (
    Answer,
    Convention,
    Effects,
    ExchangeQuery,
    ExchangeRecord,
    Requester,
    StoredAuthorization,
)
from domain.reference import ReferenceData
from domain.rules.adjudication import adjudicate, rejected
from domain.rules.rights import decide_eligibility
from domain.services import claim_corrections, exchanges
from domain.services.claim_corrections import Corrected
from domain.services.claim_ports import CLAIM, ClaimPorts, authorization_change, source
from domain.services.exchanges import Exchange, Form, Stamp, Submission

__all__ = ["CLAIM", "ClaimOutcome", "ClaimPorts", "submit_claim"]


@dataclass(frozen=True, slots=True)
class Used:
    """A prise en charge as the claim leaves it, and as it was read."""

    authorization: PriorAuthorization
    stored: StoredAuthorization


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    """The adjudication, the prises en charge the paid lines use (or a check holds, until
    `held_until`), and the claim it corrects."""

    adjudication: Adjudication
    payer: str
    used: tuple[Used, ...] = ()
    corrects: Corrected | None = None
    held_until: datetime | None = None
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
        await _not_payable_yet(request, requester, ports)
        corrects = await claim_corrections.corrected(requester, request, ports)
        day = min((line.service_date for line in request.lines), default=request.filed_on)
        facts = await ports.members.find(request.identifiers)
        rights = decide_eligibility(facts, day, ref)
        payer = rights.payer or ""
        found = await _authorizations(request, requester, ports, corrects)
        start = claim_corrections.given_back(found, corrects)
        now = clock.now()
        # No member found, no key: the rights are not open then, and no line is covered.
        patient = ports.patient(rights.member_id) if rights.member_id else ""  # pragma: no mutate
        whose = (requester.tenant, patient)
        holds = _Holds(found, start, whose, request, now, ports.hold_minutes)
        if not (rights.status.in_force or rights.status is EligibilityStatus.SUSPENDED):
            rejected = _all_rejected(request, "droits-non-ouverts", ref)
            return ClaimOutcome(rejected, payer, holds.changed(), corrects)
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
            related_claim=request.related_claim if corrects is None else corrects.claim_id,
            complementary=request.complementary,
        )
        adjudication = adjudicate(cmd, await _history(cmd, ref, ports), ref)
        # strict: an answer of other lines than the claim's would be a bug, never seen
        pairs = zip(request.lines, adjudication.lines, strict=True)  # pragma: no mutate
        paid = [line for line, r in pairs if r.status in PAYABLE and line.sequence in valid]
        used = _Holds(found, start, whose, request, now, ports.hold_minutes)
        used.apply(paid)
        payable = claim_history.made_payable(cmd, adjudication)
        return ClaimOutcome(
            adjudication, payer, used.changed(), corrects, used.held_until(), payable, cmd
        )

    def effects(outcome: ClaimOutcome, stamp: Stamp) -> Effects:
        at = stamp.created
        changes = tuple(
            authorization_change(used.authorization, used.stored, requester=requester, at=at,
                                 verb="use-authorization", ports=ports)
            for used in outcome.used
        )  # fmt: skip
        entries: list[ledger.Entry] = []
        if outcome.corrects is not None:  # reversed at the instant the correction is recorded
            entries.append(outcome.corrects.reversal(at))
        if outcome.adjudication.use is ClaimUse.CLAIM:
            entry = ledger.claim_accepted(
                source(requester, outcome.adjudication.claim_id),
                payer=outcome.payer,
                provider=requester.tenant,
                benefit=outcome.adjudication.payable,
                at=at,
                due=outcome.adjudication.payment_date,
                request=stamp.request_id,
                response=stamp.response_id,
            )
            entries += [] if entry is None else [entry]
        paid = any(e.kind is ledger.EntryKind.CLAIM for e in entries)
        history = outcome.history if paid else ()  # a claim made payable only
        flags = () if outcome.command is None else anomaly_flags.rule_flags(
            outcome.command, outcome.adjudication, request_id=stamp.request_id,
            response_id=stamp.response_id, at=at,
        )  # fmt: skip
        return Effects(changes=changes, entries=tuple(entries), history=history, flags=flags)

    return await exchanges.submit(CLAIM, submission, decide, ports.exchange, effects)


async def _not_payable_yet(request: ClaimRequest, requester: Requester, ports: ClaimPorts) -> None:
    """A claim is payable once: its ledger entry's id is refused a second time when it is
    recorded. One that cites a prise en charge, or corrects a claim, is checked first too:
    sent again, it would otherwise find the units used up, or the claim it corrects already
    reversed, and be answered so."""
    if request.use is not ClaimUse.CLAIM:
        return
    if not (request.related_claim or any(line.pa_reference for line in request.lines)):
        return
    entries = await ports.ledger.by_source(source(requester, request.claim_id))
    if any(e.kind is ledger.EntryKind.CLAIM for e in entries):
        raise ledger.AlreadyRecorded(
            f"La demande {request.claim_id[:64]} a déjà été rendue payable : une demande "
            "n'est payée qu'une fois (une correction cite la demande qu'elle corrige)"
        )


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


class _Holds:
    """The prises en charge a claim's lines use (or a counter check holds), line after line,
    from the state each was read at (less what the claim it corrects gave back)."""

    def __init__(
        self,
        found: dict[str, StoredAuthorization],
        start: dict[str, PriorAuthorization],
        whose: tuple[str, str],  # the provider, and the patient's key
        request: ClaimRequest,
        now: datetime,
        hold_minutes: float,
    ) -> None:
        self._found = found
        self._state = dict(start)
        self._tenant, self._patient = whose
        self._claim = request.claim_id
        self._use = request.use
        self._now = now
        self._until = now + timedelta(minutes=hold_minutes)
        self._holds: list[tuple[str, str]] = []  # (reference, reservation) a check holds

    def apply(self, lines: list[ClaimLine] | tuple[ClaimLine, ...]) -> set[int]:
        """The sequences of the lines a prise en charge of the provider, for the patient,
        covers, each using it."""
        covered = set()
        for line in lines:
            reference = line.pa_reference
            if reference is None or (pa := self._state.get(reference)) is None:
                continue  # none cited, or none of the provider's
            if not pa.for_patient(self._patient):  # another's, or recorded without its key
                continue
            granted = next((g for g in pa.lines if g.code == line.code), None)
            if granted is None:  # the prise en charge cited does not carry this code
                continue
            try:
                self._state[reference] = self._use_one(reference, pa, granted, line)
            except DomainError:  # not enough left, expired, cancelled, another line's
                continue
            covered.add(line.sequence)
        return covered

    def changed(self) -> tuple[Used, ...]:
        """The prises en charge the claim changed, with the state each was read at."""
        return tuple(
            Used(self._state[ref], stored)
            for ref, stored in self._found.items()
            if self._state[ref] != stored.authorization
        )

    def held_until(self) -> datetime | None:
        """Until when a counter check holds the units it found (None: it holds none)."""
        ends = [
            r.until
            for reference, hold in self._holds
            for r in self._state[reference].reservations
            if r.id == hold
        ]
        return max(ends, default=None)

    def _use_one(
        self, reference: str, pa: PriorAuthorization, granted: PaLine, line: ClaimLine
    ) -> PriorAuthorization:
        hold = f"{self._tenant}:{pa.id}:{granted.sequence}"  # one per provider and line
        if self._use is ClaimUse.PREDETERMINATION:
            held = Reservation(hold, granted.sequence, line.quantity, line.billed, self._until)
            kept = pa_states.reserve(pa, held, day=line.service_date, now=self._now)
            self._holds.append((reference, hold))
            return kept
        mine = any(r.id == hold and r.held(self._now) for r in pa.reservations)
        return pa_states.consume(
            pa, granted.sequence, line.quantity, line.billed, day=line.service_date,
            now=self._now, reservation=hold if mine else None, claim=self._claim,
        )  # fmt: skip


async def _authorizations(
    request: ClaimRequest, requester: Requester, ports: ClaimPorts, corrects: Corrected | None
) -> dict[str, StoredAuthorization]:
    """The provider's own prises en charge the lines cite, and those the claim it corrects
    used (another's is as good as none)."""
    cited = {line.pa_reference for line in request.lines if line.pa_reference}
    if corrects is not None:
        cited |= corrects.pa_references
    found = {}
    for reference in sorted(cited):
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
