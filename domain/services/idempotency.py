"""An Idempotency-Key's answer: the one kept, the one being made, or ours to make.

A request carrying a key is answered once: a retry with the same request gets the answer kept
for it, byte for byte; another request under the same key is refused (KeyReused). A retry sent
while the first is still at work (a desk's client timing out and sending again) waits a
little for its answer, then is told to come back (InProgress): it never decides a second time
while the first may still record.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from domain.errors import InProgress, KeyReused
from domain.idempotency_ports import InFlight, Lease
from domain.ports import IdempotencyStore
from domain.records import IdempotencyKey, IdempotentAnswer
from domain.uow_ports import UnitOfWorkFactory

# A waiting retry looks for the first request's answer this often: a claim is answered in
# tens of milliseconds, so the retry gets it about as soon as it is committed, for one
# primary-key read (and one SET NX) per look.
POLL_SECONDS = 0.05
# What a retry told to come back is asked to wait (Retry-After): the first request is
# normally answered by then.
RETRY_AFTER_SECONDS = 1.0


async def kept(
    store: IdempotencyStore, tenant: str, key: IdempotencyKey
) -> IdempotentAnswer | None:
    """The answer kept for the key, if it was given to the same request (else KeyReused)."""
    found = await store.kept(tenant, key.key)
    if found is not None and found.request_hash != key.request_hash:
        raise KeyReused("Cette clé d'idempotence a déjà servi pour une autre requête")
    return found


async def reserve(
    store: IdempotencyStore,
    in_flight: InFlight,
    tenant: str,
    key: IdempotencyKey,
    *,
    wait_seconds: float,
) -> IdempotentAnswer | Lease:
    """The answer kept for the key, or a lease to make it; while another request holds the
    key, its answer waited for up to `wait_seconds` (InProgress past that)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while True:
        found = await kept(store, tenant, key)
        if found is not None:
            return found
        lease = await in_flight.begin(tenant, key.key)
        if lease is not None:
            return lease
        left = deadline - loop.time()
        if left <= 0:
            raise InProgress(RETRY_AFTER_SECONDS)
        await asyncio.sleep(min(POLL_SECONDS, left))


def forget_old_answers(uow: UnitOfWorkFactory, *, before: datetime, batch: int, rounds: int) -> int:
    """Forget the answers kept before `before`: `batch` per transaction, `rounds` transactions
    at most (a backlog goes over several runs, never holding the writers or the worker's
    other work back long); how many went."""
    gone = 0
    for _ in range(rounds):
        with uow() as work:
            went = work.idempotency.purge_before(before, batch)
            work.commit()
        gone += went
        if went < batch:
            break
    return gone
