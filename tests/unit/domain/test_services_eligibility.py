"""The eligibility use case and the exchange pipeline, against the fakes of the ports."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from domain.eligibility import CheckEligibility, EligibilityOutcome, Purpose, RequestedItem
from domain.eligibility import EligibilityStatus as S
from domain.errors import (
    InvalidRequest,
    KeyReused,
    MalformedRequest,
    NotFound,
    RateLimited,
    Unavailable,
)
from domain.members import IdentifierKind, PersonIdentifier
from domain.records import (
    ExchangeQuery,
    IdempotencyKey,
    IdempotentAnswer,
    PersonName,
    RegistryEntry,
    Rendered,
    Requester,
)
from domain.reference import ReferenceData
from domain.services.eligibility import (
    EligibilityPorts,
    check_eligibility,
    read_answer,
    read_request,
    search_answers,
)
from domain.services.exchanges import ExchangePorts, Stamp, Submission
from tests.fakes import FakeClock, FakeMemberRepository
from tests.pipeline_fakes import (
    FakeDecisionCache,
    FakeIds,
    FakeMeter,
    FakeRateLimiter,
    FakeRegistryVersion,
    FakeStore,
)
from tests.unit.domain.builders import member, salarie

pytestmark = pytest.mark.anyio

CARE = date(2025, 6, 16)
IDCS = PersonIdentifier(IdentifierKind.IDCS, "1234567890")
CIN = PersonIdentifier(IdentifierKind.CIN, "BK123456")
NOW = datetime(2025, 6, 16, 9, tzinfo=UTC)
ME = Requester(tenant="prov-1", client_id="client-1")
OTHER = Requester(tenant="prov-2", client_id="client-2")


class FakeForm:
    """A request already read: gives its command, renders what the test can check."""

    def __init__(self, cmd: CheckEligibility | Exception) -> None:
        self.cmd = cmd
        self.read_on: date | None = None
        self.rendered: list[EligibilityOutcome] = []

    def read(self, today: date) -> CheckEligibility:
        """The command, or the error a malformed request raises."""
        self.read_on = today
        if isinstance(self.cmd, Exception):
            raise self.cmd
        return self.cmd

    def render(self, result: EligibilityOutcome, stamp: Stamp) -> Rendered:
        """Bodies that say what was decided and under which ids."""
        self.rendered.append(result)
        answer = f"{stamp.response_id}|{stamp.request_id}|{result.status}|{result.from_cache}"
        return Rendered(b"request:" + stamp.request_id.encode(), answer.encode(), "Patient/1")

    def identifiers(self) -> tuple[PersonIdentifier, ...]:
        """The identifiers of the command."""
        return () if isinstance(self.cmd, Exception) else self.cmd.identifiers


@dataclasses.dataclass
class Pipeline:
    """The use case's ports, all fakes, and what they let a test look at."""

    store: FakeStore
    cache: FakeDecisionCache
    limiter: FakeRateLimiter
    meter: FakeMeter
    registry: FakeRegistryVersion
    ports: EligibilityPorts


def pipeline(*identifiers: PersonIdentifier, limit: int = 1_000_000) -> Pipeline:
    """Fakes whose registry holds one open salarié carrying these identifiers."""
    entry = RegistryEntry(
        member(salarie(CARE)), identifiers, PersonName("Alaoui", "Fatima"), "female"
    )
    store = FakeStore(FakeMemberRepository([entry] if identifiers else []))
    cache, limiter, meter = FakeDecisionCache(), FakeRateLimiter(limit), FakeMeter()
    registry = FakeRegistryVersion("7")
    exchange = ExchangePorts(limiter, store, store, store, store, FakeClock(NOW), FakeIds())
    ports = EligibilityPorts(exchange, cache, store, meter, registry)
    return Pipeline(store, cache, limiter, meter, registry, ports)


def command(
    *identifiers: PersonIdentifier, items: tuple[RequestedItem, ...] = ()
) -> CheckEligibility:
    """A validation request for CARE."""
    return CheckEligibility(identifiers, CARE, frozenset({Purpose.VALIDATION}), items)


def submitted(
    cmd: CheckEligibility | Exception, key: str | None = None, asked: str = "h1"
) -> Submission[FakeForm]:
    """A submission of ME's, with an Idempotency-Key when given."""
    return Submission(ME, FakeForm(cmd), IdempotencyKey(key, asked) if key else None)


async def check(
    p: Pipeline, ref: ReferenceData, cmd: CheckEligibility | Exception, **kwargs: str
) -> str:
    """The answer's body, as text."""
    answer = await check_eligibility(submitted(cmd, **kwargs), ref=ref, ports=p.ports)
    return answer.body.decode()


class TestDecide:
    async def test_found_member_is_decided_recorded_and_cached(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS)
        answer = await check_eligibility(submitted(command(IDCS)), ref=ref, ports=p.ports)
        assert answer.body == b"id-1|id-2|open|False"
        assert (answer.response_id, answer.request_id, answer.replayed) == ("id-1", "id-2", False)
        assert p.cache.decisions[IDCS, CARE, f"{ref.version}|7"].status is S.OPEN
        [record] = p.store.exchanges.records
        assert (record.id, record.tenant, record.status) == ("id-1", "prov-1", "open")
        assert record.patient_identifiers == (IDCS,) and record.patient_ref == "Patient/1"
        assert p.store.actions() == ["eligibility.check"]
        assert p.store.audit[0].resource == "CoverageEligibilityResponse/id-1"
        assert p.meter.counted == [("open", False)]

    async def test_second_check_comes_from_the_cache(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS)
        await check(p, ref, command(IDCS))
        p.store.members.entries.clear()  # the registry is not read again
        assert (await check(p, ref, command(IDCS))).endswith("|open|True")
        assert p.meter.counted == [("open", False), ("open", True)]

    async def test_cache_of_another_rules_version_is_not_used(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS)
        await check(p, ref, command(IDCS))
        newer = dataclasses.replace(ref, version="ref-new")
        assert (await check(p, newer, command(IDCS))).endswith("|open|False")

    async def test_a_decision_of_an_earlier_registry_version_is_not_used(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline(IDCS)
        await check(p, ref, command(IDCS))
        p.registry.version = "8"  # an import was committed meanwhile
        assert (await check(p, ref, command(IDCS))).endswith("|open|False")
        assert (IDCS, CARE, f"{ref.version}|8") in p.cache.decisions

    async def test_an_unknown_registry_version_leaves_the_cache_alone(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline(IDCS)
        await check(p, ref, command(IDCS))
        p.registry.version = None  # the version could not be read lately
        assert (await check(p, ref, command(IDCS))).endswith("|open|False")
        assert (p.cache.hits, p.cache.misses, len(p.cache.decisions)) == (0, 1, 1)

    async def test_not_found_is_answered_and_recorded_but_not_cached(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline()
        assert (await check(p, ref, command(IDCS))).endswith("|not-found|False")
        assert p.cache.decisions == {}
        assert [r.status for r in p.store.exchanges.records] == ["not-found"]

    async def test_next_identifier_is_tried_when_the_first_finds_nobody(
        self, ref: ReferenceData
    ) -> None:
        assert (await check(pipeline(CIN), ref, command(IDCS, CIN))).endswith("|open|False")

    async def test_items_are_answered_fresh_from_a_cached_decision(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline(IDCS)
        await check(p, ref, command(IDCS))
        items = (RequestedItem("hospitalisation"),)
        form = FakeForm(command(IDCS, items=items))
        outcomes: list[EligibilityOutcome] = []
        form.render = lambda result, stamp: outcomes.append(result) or Rendered(b"", b"")  # type: ignore[method-assign]
        await check_eligibility(Submission(ME, form), ref=ref, ports=p.ports)
        assert outcomes[0].from_cache
        assert outcomes[0].items[0].covered and outcomes[0].items[0].needs_prior_authorization

    async def test_the_request_is_read_on_the_clock_s_day(self, ref: ReferenceData) -> None:
        p, form = pipeline(IDCS), FakeForm(command(IDCS))
        await check_eligibility(Submission(ME, form), ref=ref, ports=p.ports)
        assert form.read_on == NOW.date()


class TestRefused:
    async def test_no_identifier_is_refused_and_nothing_recorded(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS)
        with pytest.raises(InvalidRequest):
            await check(p, ref, command())
        assert p.store.exchanges.records == [] and p.store.audit == []

    async def test_a_malformed_request_is_refused_before_any_decision(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline(IDCS)
        with pytest.raises(MalformedRequest):
            await check(p, ref, MalformedRequest("structure"))
        assert p.cache.misses == 0 and p.store.exchanges.records == []

    async def test_over_the_limit_is_refused_before_reading(self, ref: ReferenceData) -> None:
        p, form = pipeline(IDCS, limit=1), FakeForm(command(IDCS))
        await check(p, ref, command(IDCS))
        with pytest.raises(RateLimited) as refused:
            await check_eligibility(Submission(ME, form), ref=ref, ports=p.ports)
        assert refused.value.retry_after == 1.0
        assert form.read_on is None and len(p.store.exchanges.records) == 1

    async def test_replays_count_against_the_limit(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS, limit=1)
        await check(p, ref, command(IDCS), key="k1")
        with pytest.raises(RateLimited):
            await check(p, ref, command(IDCS), key="k1")

    async def test_database_down_is_unavailable_and_nothing_recorded(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline(IDCS)
        p.store.down = True
        with pytest.raises(Unavailable):
            await check(p, ref, command(IDCS))
        p.store.down = False
        assert p.store.exchanges.records == [] and p.cache.decisions == {}

    async def test_database_down_after_deciding_answers_nothing(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS)

        def fail() -> None:
            raise Unavailable("down")

        p.store.before_record = fail
        with pytest.raises(Unavailable):
            await check(p, ref, command(IDCS))
        assert p.store.exchanges.records == [] and p.meter.counted == [("open", False)]


class TestIdempotency:
    async def test_a_retry_gets_the_first_answer_and_acts_no_second_time(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline(IDCS)
        first = await check_eligibility(submitted(command(IDCS), "k1"), ref=ref, ports=p.ports)
        again = await check_eligibility(submitted(command(IDCS), "k1"), ref=ref, ports=p.ports)
        assert again.replayed and not first.replayed
        assert (again.body, again.response_id, again.request_id) == (
            first.body,
            first.response_id,
            first.request_id,
        )
        assert len(p.store.exchanges.records) == 1
        assert p.store.actions() == ["eligibility.check", "eligibility.replay"]
        assert p.meter.counted == [("open", False)]

    async def test_the_same_key_for_another_request_is_refused(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS)
        await check(p, ref, command(IDCS), key="k1", asked="h1")
        with pytest.raises(KeyReused) as refused:
            await check(p, ref, command(IDCS), key="k1", asked="h2")
        assert refused.value.code == "cle-idempotence-reutilisee"
        assert len(p.store.exchanges.records) == 1

    async def test_the_same_key_of_another_tenant_is_its_own(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS)
        await check(p, ref, command(IDCS), key="k1")
        theirs = Submission(OTHER, FakeForm(command(IDCS)), IdempotencyKey("k1", "h1"))
        answer = await check_eligibility(theirs, ref=ref, ports=p.ports)
        assert not answer.replayed and len(p.store.exchanges.records) == 2

    async def test_a_concurrent_retry_recorded_first_is_the_answer(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline(IDCS)
        winner = IdempotentAnswer("prov-1", "k1", "h1", 200, b"first", "r-0", "q-0")
        p.store.before_record = lambda: p.store.answers.claim(winner) and None
        answer = await check_eligibility(submitted(command(IDCS), "k1"), ref=ref, ports=p.ports)
        assert (answer.body, answer.response_id, answer.replayed) == (b"first", "r-0", True)
        assert p.store.exchanges.records == []
        assert p.store.actions() == ["eligibility.replay"]


class TestReads:
    async def test_the_owner_reads_its_answer_and_request(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS)
        answer = await check_eligibility(submitted(command(IDCS)), ref=ref, ports=p.ports)
        by_answer = await read_answer(ME, answer.response_id, ports=p.ports)
        by_request = await read_request(ME, answer.request_id, ports=p.ports)
        assert by_answer == by_request and by_answer.response_body == answer.body
        assert p.store.actions()[-2:] == ["eligibility.read", "eligibility.read"]

    async def test_another_tenant_reads_nothing(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS)
        answer = await check_eligibility(submitted(command(IDCS)), ref=ref, ports=p.ports)
        with pytest.raises(NotFound):
            await read_answer(OTHER, answer.response_id, ports=p.ports)
        assert p.store.actions() == ["eligibility.check"]

    async def test_a_search_is_scoped_to_the_requester_whatever_the_query_says(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline(IDCS)
        await check(p, ref, command(IDCS))
        query = ExchangeQuery(tenant="prov-1", kind="eligibility")
        found, total = await search_answers(OTHER, query, ports=p.ports)
        assert (found, total) == ([], 0)
        mine, total = await search_answers(ME, query, ports=p.ports)
        assert total == 1 and mine[0].tenant == "prov-1"
        assert p.store.audit[-1].detail == "1 résultat(s)"

    async def test_reads_count_against_the_limit(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS, limit=1)
        answer = await check_eligibility(submitted(command(IDCS)), ref=ref, ports=p.ports)
        with pytest.raises(RateLimited):
            await read_answer(ME, answer.response_id, ports=p.ports)
