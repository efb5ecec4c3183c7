"""The eligibility use case: a person's rights on a date of care, through the exchange pipeline.

Its own step is the decision: from the cache when a fresh one is there, else from the
registry and the rules (and then cached, unless the person was not found: they may be
registered any minute). The items asked about are decided afresh each time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.eligibility import CheckEligibility, EligibilityOutcome, EligibilityStatus
from domain.errors import InvalidRequest
from domain.ports import DecisionCache, DecisionMeter, MemberDirectory, RegistryVersion
from domain.records import Answer, ExchangeQuery, ExchangeRecord, Requester
from domain.reference import ReferenceData
from domain.rules.admission import tiers_payant_refusals
from domain.rules.coverage import decide_items
from domain.rules.rights import decide_eligibility
from domain.services import exchanges
from domain.services.exchanges import Exchange, ExchangePorts, Form, Submission

ELIGIBILITY = Exchange(
    kind="eligibility",
    request_type="CoverageEligibilityRequest",
    response_type="CoverageEligibilityResponse",
)


@dataclass(frozen=True, slots=True)
class EligibilityPorts:
    """What the eligibility exchange needs beyond the pipeline's ports."""

    exchange: ExchangePorts
    cache: DecisionCache
    members: MemberDirectory
    meter: DecisionMeter
    registry: RegistryVersion


async def check_eligibility(
    submission: Submission[Form[CheckEligibility, EligibilityOutcome]],
    *,
    ref: ReferenceData,
    ports: EligibilityPorts,
) -> Answer:
    """Decide, record and answer one eligibility request (once per Idempotency-Key)."""

    async def decide(cmd: CheckEligibility) -> EligibilityOutcome:
        outcome = await decide_rights(cmd, ref=ref, ports=ports)
        ports.meter.decided(outcome.status, outcome.from_cache)
        # The requester's admission is per request: applied after the cache, never cached.
        refused = tiers_payant_refusals(outcome.decision, submission.requester.admission)
        return replace(outcome, tiers_payant=refused)

    return await exchanges.submit(ELIGIBILITY, submission, decide, ports.exchange)


async def decide_rights(
    cmd: CheckEligibility, *, ref: ReferenceData, ports: EligibilityPorts
) -> EligibilityOutcome:
    """The decision for the command's person and date, from the cache or the registry.

    A decision is cached under the versions of the rules and of the registry it was made
    with, the registry's read before the registry itself: a decision made from a record an
    import has since replaced is never used once this process sees the import's version.
    When this process cannot tell the registry's version, the cache is not used at all."""
    if not cmd.identifiers:
        raise InvalidRequest("Aucun identifiant de patient dans la demande")
    key, registry = cmd.identifiers[0], ports.registry.current()
    version = None if registry is None else f"{ref.version}|{registry}"
    decision = None if version is None else await ports.cache.get(key, cmd.date_of_care, version)
    from_cache = decision is not None
    if decision is None:
        facts = await ports.members.find(cmd.identifiers)
        decision = decide_eligibility(facts, cmd.date_of_care, ref)
        if decision.status is not EligibilityStatus.NOT_FOUND and version is not None:
            await ports.cache.put(key, decision, version)
    items = decide_items(decision, cmd.items, ref) if cmd.items else ()
    return EligibilityOutcome(decision=decision, items=items, from_cache=from_cache)


async def read_answer(
    requester: Requester, response_id: str, *, ports: EligibilityPorts
) -> ExchangeRecord:
    """A stored CoverageEligibilityResponse of the requester's (another's is not found)."""
    return await exchanges.read(
        ELIGIBILITY, requester, response_id, by_request=False, ports=ports.exchange
    )


async def read_request(
    requester: Requester, request_id: str, *, ports: EligibilityPorts
) -> ExchangeRecord:
    """A stored CoverageEligibilityRequest of the requester's (another's is not found)."""
    return await exchanges.read(
        ELIGIBILITY, requester, request_id, by_request=True, ports=ports.exchange
    )


async def search_answers(
    requester: Requester, query: ExchangeQuery, *, ports: EligibilityPorts
) -> tuple[list[ExchangeRecord], int]:
    """The requester's stored answers matching a search, newest first, and their total."""
    return await exchanges.search(ELIGIBILITY, requester, query, ports.exchange)
