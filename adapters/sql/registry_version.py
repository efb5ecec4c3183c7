"""The registry's version as this process knows it: read from SQL now and then.

Every import advances the version in its own transaction (domain/services/registry.py), and
the eligibility use case caches decisions under it. So an import reaches every process that
caches, in process or in Redis, within one poll, even when nothing could tell the cache: an
import run while Redis was unreachable, another replica's cache in its own memory.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from adapters.sql.reads import SqlReads
from domain.errors import Unavailable
from domain.uow_ports import UnitOfWork

log = logging.getLogger("amo.cache")


class PolledRegistryVersion:
    """domain.ports.RegistryVersion, read every `interval` seconds; unknown once no read
    succeeded for `stale_after` seconds (then the cache is not used)."""

    def __init__(
        self,
        reads: SqlReads,
        *,
        interval: float,
        stale_after: float,
        on_change: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._reads = reads
        self._interval = interval
        self._stale_after = stale_after
        self._on_change = on_change
        self._clock = clock
        self._version: str | None = None
        self._seen_at = float("-inf")

    def current(self) -> str | None:
        """The version last read, or None when that read is too old to trust."""
        if self._clock() - self._seen_at > self._stale_after:
            return None
        return self._version

    def saw(self, version: int) -> None:
        """Record a version just read; a change runs `on_change` (freeing what is stale)."""
        text = str(version)
        changed = self._version is not None and text != self._version
        self._version, self._seen_at = text, self._clock()
        if changed:
            log.info("registry version %s: earlier cached decisions are no longer used", text)
            if self._on_change is not None:
                self._on_change()

    async def refresh(self) -> None:
        """Read the version now."""
        self.saw(await self._reads.run(_version))

    async def follow(self) -> None:
        """Read the version every `interval` seconds, for as long as the process serves."""
        while True:
            try:
                await self.refresh()
            except Unavailable:
                log.warning("registry version unreadable: cached decisions unused meanwhile")
            await asyncio.sleep(self._interval)


def _version(uow: UnitOfWork) -> int:
    return uow.members.version()
