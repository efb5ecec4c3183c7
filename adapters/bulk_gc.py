"""Python's cycle collector paced for a bulk load.

A registry import allocates millions of short-lived objects (parsed lines, entries, rows)
that reference counting frees at once; the cycle collector, started every 700 allocations,
would walk them, and every few runs walk the whole program as well (its modules, its
reference data): a sixth of the import's time in the process that writes. For the length of
a load, everything older is frozen out of the collector's sight and it runs a hundred times
less often; it still runs, so a cycle made meanwhile is still freed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations between two runs of the youngest generation during a load (700 otherwise).
BULK_THRESHOLD = 100_000


def pace_for_bulk() -> None:
    """From now on, for the rest of a process that only loads (a reading worker)."""
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(BULK_THRESHOLD, older, oldest)


@contextmanager
def paced_for_bulk() -> Iterator[None]:
    """For the length of a load in a process that goes on afterwards."""
    before = gc.get_threshold()
    pace_for_bulk()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
