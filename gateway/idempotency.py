"""Idempotency-Key: a retried POST gets the first answer again and acts no second time."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool

from domain.errors import Conflict
from domain.ports import IdempotentAnswer
from gateway.bootstrap import Container
from gateway.errors import GatewayError

HEADER = "idempotency-key"
_KEY = re.compile(r"[\x21-\x7e]{1,128}")  # visible ASCII: what clients put in headers


def idempotency_key(headers: Any) -> str | None:
    """The request's Idempotency-Key, checked; None when it has none."""
    key = headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.fullmatch(key):
        raise GatewayError(400, "cle-idempotence-invalide", expression=None)
    return str(key)


def request_hash(operation: str, body: dict[str, Any]) -> str:
    """What a request asks, whatever the order of its JSON members."""
    canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(operation.encode() + b"\n" + canonical).hexdigest()


async def kept_answer(
    container: Container, tenant: str, key: str, wanted_hash: str
) -> IdempotentAnswer | None:
    """The answer given to an earlier request with that key, if it asked the same thing."""
    answer = await run_in_threadpool(_get, container, tenant, key)
    if answer is not None and answer.request_hash != wanted_hash:
        raise Conflict(
            "Cette clé d'idempotence a déjà servi pour une autre requête",
            code="cle-idempotence-reutilisee",
        )
    return answer


def _get(container: Container, tenant: str, key: str) -> IdempotentAnswer | None:
    with container.reader() as uow:
        return uow.idempotency.get(tenant, key)
