"""Claims exactly once, as deployed: a real uvicorn on PostgreSQL, Redis saying which
requests are in flight. Twenty claims racing for the last box of a prise en charge: one is
paid. Ten identical submissions under one Idempotency-Key: one claim, ten identical answers.
A counter check's hold that runs out frees its units. A key reused for another request is
refused; a key another replica is still answering keeps its retry waiting, then 409."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

from devtools.server import free_port, running
from domain.ledger import EntryKind
from gateway.bootstrap import open_storage
from tests.e2e.pa_world import FHIR_JSON, PROVIDER_SCOPES, costly_drug
from tests.e2e.services import REDIS_URL, fresh_postgres_database, redis_or_skip
from tests.e2e.support import GatewayState, prepare_state, token_form

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

CLAIM_DOCUMENT = "https://fhir.tiers-payant.ma/CodeSystem/claim-document"
HOLD_UNTIL = "https://fhir.tiers-payant.ma/StructureDefinition/hold-until"
HOLD_MINUTES = 0.02  # a counter check holds its units 1.2 s
WAIT_SECONDS = 4.0  # a retry waits this long for the answer in flight: all ten get it (0.6 s)
EXHAUSTED = "accord-prealable-requis"  # the line's prise en charge has nothing left


@dataclass(frozen=True)
class Stack:
    """The gateway on PostgreSQL and Redis, and the pharmacy it serves."""

    base: str
    state: GatewayState
    tenant: str  # the pharmacy's provider id: its Idempotency-Keys are its own


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    redis_or_skip()
    with fresh_postgres_database() as database_url:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        work = tmp_path_factory.mktemp("claims-postgres")
        state = prepare_state(
            work,
            base,
            AMO_DATABASE_URL=database_url,
            AMO_REDIS_URL=REDIS_URL,
            AMO_CLAIM_HOLD_MINUTES=str(HOLD_MINUTES),
            AMO_IDEMPOTENCY_WAIT_SECONDS=str(WAIT_SECONDS),
        )
        with open_storage(state.settings) as storage, storage.uow() as uow:
            pharmacy = uow.providers.by_inpe(state.pharmacy.inpe)
            assert pharmacy is not None
        with running(state.env, port, work / "server.log"):
            yield Stack(base, state, pharmacy.id)


def headers(stack: Stack, **more: str) -> dict[str, str]:
    """A fresh pharmacy token, and the FHIR content type."""
    form = token_form(stack.state.pharmacy, f"{stack.base}/auth/token", PROVIDER_SCOPES)
    answer = httpx.post(f"{stack.base}/auth/token", data=form)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}", **FHIR_JSON, **more}


def care_day(slot: int) -> date:
    """A test's day of care, ten days from the others' (never a refill too early)."""
    return date.today() - timedelta(days=10 * slot)


def patient(stack: Stack) -> str:
    return stack.state.people["dialysis"][1]


def granted_one_box(stack: Stack, auth: dict[str, str], day: date) -> str:
    """A prise en charge of one box of epoetin from that day: its id."""
    answer = post(stack, auth, costly_drug(patient(stack), quantity=1, day=day))
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "complete"
    return str(answer.json()["id"])


def bill(stack: Stack, claim_id: str, pa_id: str, day: date, use: str = "claim") -> dict[str, Any]:
    """The pharmacy's claim (or counter check) for the box, citing the prise en charge."""
    body = costly_drug(patient(stack), quantity=1, day=day)
    body["use"] = use
    body["identifier"] = [{"system": "urn:oid:2.16.504.1.1", "value": claim_id}]
    body["supportingInfo"] = [
        {"sequence": i, "category": {"text": code},
         "code": {"coding": [{"system": CLAIM_DOCUMENT, "code": code}]}}
        for i, code in enumerate(("ordonnance", "vignettes"), 1)
    ]  # fmt: skip
    body["insurance"][0]["preAuthRef"] = [pa_id]
    return body


def post(stack: Stack, auth: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{stack.base}/fhir/Claim/$submit", content=orjson.dumps(body), headers=auth, timeout=30
    )


def at_once(stack: Stack, requests: list[tuple[dict[str, str], bytes]]) -> list[httpx.Response]:
    """Every request sent together, over as many connections."""

    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(requests))
        async with httpx.AsyncClient(base_url=stack.base, timeout=60, limits=limits) as client:
            return await asyncio.gather(
                *(client.post("/fhir/Claim/$submit", content=body, headers=auth)
                  for auth, body in requests)
            )  # fmt: skip

    return asyncio.run(burst())


def benefit(answer: dict[str, Any]) -> float:
    """The RO's share of the first item."""
    return next(
        float(a["amount"]["value"])
        for a in answer["item"][0]["adjudication"]
        if a["category"]["coding"][0]["code"] == "benefit"
    )


def reasons(answer: dict[str, Any]) -> list[str]:
    return [
        a["reason"]["coding"][0]["code"] for a in answer["item"][0]["adjudication"] if "reason" in a
    ]


def claims_recorded(stack: Stack, *claim_ids: str) -> int:
    """How many of these claims the ledger made payable."""
    with open_storage(stack.state.settings) as storage, storage.uow() as uow:
        return sum(
            entry.kind is EntryKind.CLAIM
            for claim_id in claim_ids
            for entry in uow.ledger.by_source(f"{stack.tenant}:{claim_id}")
        )


def code(refusal: httpx.Response) -> str:
    return str(refusal.json()["issue"][0]["details"]["coding"][0]["code"])


def hold_until(answer: dict[str, Any]) -> datetime:
    [hold] = [e for e in answer["extension"] if e["url"] == HOLD_UNTIL]
    return datetime.fromisoformat(hold["valueDateTime"])


class TestTheLastBox:
    def test_twenty_claims_for_one_box_one_is_paid(self, stack: Stack) -> None:
        """Each loser is decided again once the winner is recorded: its line is then the
        paid one's twin (the same drug, patient and day: `doublon`, the rules' first check),
        and the box is gone, as a claim on a later day shows."""
        auth = headers(stack)
        day = care_day(1)
        pa_id = granted_one_box(stack, auth, day)
        ids = [f"PAR-{n}" for n in range(1, 21)]
        answers = at_once(stack, [(auth, orjson.dumps(bill(stack, i, pa_id, day))) for i in ids])
        assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
        paid = [a.json() for a in answers if benefit(a.json()) > 0]
        refused = [a.json() for a in answers if benefit(a.json()) == 0]
        assert len(paid) == 1 and len(refused) == 19
        assert "payment" in paid[0] and all("payment" not in r for r in refused)
        assert {tuple(reasons(r)) for r in refused} <= {("doublon",), (EXHAUSTED,)}
        assert claims_recorded(stack, *ids) == 1
        with open_storage(stack.state.settings) as storage, storage.uow() as uow:
            stored = uow.authorizations.get(pa_id)
        assert stored is not None and stored.authorization.status.value == "consumed"
        # Three days on, the box's supply has run out: only the prise en charge refuses it.
        later = day + timedelta(days=3)
        after = post(stack, auth, bill(stack, "PAR-21", pa_id, later)).json()
        assert benefit(after) == 0 and reasons(after) == [EXHAUSTED]


class TestOneKey:
    def test_ten_identical_submissions_make_one_claim_and_ten_identical_answers(
        self, stack: Stack
    ) -> None:
        auth = headers(stack)
        day = care_day(2)
        body = orjson.dumps(bill(stack, "IDEM-1", granted_one_box(stack, auth, day), day))
        keyed = {**auth, "Idempotency-Key": "idem-ten-1"}
        answers = at_once(stack, [(keyed, body)] * 10)
        assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
        assert len({a.content for a in answers}) == 1  # byte for byte
        replayed = [a.headers.get("Idempotent-Replayed") for a in answers]
        assert replayed.count("true") == 9 and replayed.count(None) == 1
        assert benefit(answers[0].json()) > 0
        assert claims_recorded(stack, "IDEM-1") == 1
        request = answers[0].json()["request"]["reference"]
        found = httpx.get(
            f"{stack.base}/fhir/ClaimResponse", params={"request": request}, headers=auth
        )
        assert found.json()["total"] == 1

    def test_the_same_key_for_another_claim_is_refused_and_the_first_kept(
        self, stack: Stack
    ) -> None:
        auth = headers(stack, **{"Idempotency-Key": "idem-reused-1"})
        day = care_day(3)
        pa_id = granted_one_box(stack, headers(stack), day)
        first = post(stack, auth, bill(stack, "REUSE-1", pa_id, day))
        other = post(stack, auth, bill(stack, "REUSE-2", pa_id, day))
        assert first.status_code == 200, first.text
        assert (other.status_code, code(other)) == (422, "cle-idempotence-reutilisee")
        again = post(stack, auth, bill(stack, "REUSE-1", pa_id, day))
        assert again.content == first.content and again.headers["Idempotent-Replayed"] == "true"
        assert claims_recorded(stack, "REUSE-1", "REUSE-2") == 1

    def test_a_key_another_replica_is_answering_keeps_the_retry_waiting_then_409(
        self, stack: Stack
    ) -> None:
        key = "idem-in-flight-1"
        auth = headers(stack, **{"Idempotency-Key": key})
        day = care_day(4)
        body = bill(stack, "FLIGHT-1", granted_one_box(stack, headers(stack), day), day)
        lease = f"amo:inflight:{stack.tenant}:{key}"
        client = redis_or_skip()
        assert client.set(lease, "another-replica", nx=True, px=60_000)
        try:
            waited = post(stack, auth, body)
        finally:
            client.delete(lease)
        assert (waited.status_code, code(waited)) == (409, "requete-en-cours")
        assert waited.elapsed.total_seconds() >= WAIT_SECONDS - 0.5
        assert int(waited.headers["Retry-After"]) >= 1
        assert claims_recorded(stack, "FLIGHT-1") == 0
        answered = post(stack, auth, body)  # the key given back: decided now, once
        assert answered.status_code == 200 and "Idempotent-Replayed" not in answered.headers
        assert claims_recorded(stack, "FLIGHT-1") == 1


class TestCounterCheckHold:
    def test_a_hold_that_runs_out_frees_its_box(self, stack: Stack) -> None:
        auth = headers(stack)
        day = care_day(5)
        pa_id = granted_one_box(stack, auth, day)
        first = post(stack, auth, bill(stack, "CHK-A", pa_id, day, use="predetermination"))
        assert first.status_code == 200, first.text
        assert benefit(first.json()) > 0
        held = hold_until(first.json())
        again = post(stack, auth, bill(stack, "CHK-B", pa_id, day, use="predetermination"))
        assert hold_until(again.json()) == held  # still held: the same hold, not a second box
        with open_storage(stack.state.settings) as storage, storage.uow() as uow:
            stored = uow.authorizations.get(pa_id)
            assert stored is not None
            [reservation] = stored.authorization.reservations
        assert reservation.quantity == 1 and reservation.held(held - timedelta(seconds=0.1))
        ends = held + timedelta(seconds=1.2)  # hold-until is written to the second
        time.sleep(max(0.0, (ends - datetime.now(held.tzinfo)).total_seconds()))
        later = post(stack, auth, bill(stack, "CHK-C", pa_id, day, use="predetermination"))
        assert benefit(later.json()) > 0  # the box is free again, and held anew
        assert hold_until(later.json()) > held
        paid = post(stack, auth, bill(stack, "HOLD-FACT-1", pa_id, day))
        assert benefit(paid.json()) > 0
        after = post(stack, auth, bill(stack, "HOLD-FACT-2", pa_id, day + timedelta(days=3)))
        assert benefit(after.json()) == 0 and reasons(after.json()) == [EXHAUSTED]
