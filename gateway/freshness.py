"""Without Redis each process caches decisions in its own memory; another process (an import,
another replica) cannot reach it. So each process watches the latest registry change and
drops its cache when it moves. With Redis, imports invalidate the shared cache directly.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from adapters.cache.memory import MemoryDecisionCache
from adapters.sql.engine import is_database_error
from adapters.sql.members import latest_member_change

log = logging.getLogger("amo.cache")


async def watch_registry(cache: MemoryDecisionCache, engine: Engine, interval: float) -> None:
    """Clear the in-process cache whenever the registry changed since the last look."""
    seen = await _latest(engine)
    while True:
        await asyncio.sleep(interval)
        latest = await _latest(engine)
        if latest is not None and latest != seen:
            cache.clear()
            log.info("registry changed: eligibility cache cleared")
        seen = latest or seen


async def _latest(engine: Engine) -> datetime | None:
    try:
        return await run_in_threadpool(latest_member_change, engine)
    except Exception as exc:
        if not is_database_error(exc):
            raise
        return None  # the database is away: look again next time
