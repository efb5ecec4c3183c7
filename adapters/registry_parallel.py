"""A registry file read and sealed by worker processes: Python's work per person spread over
the machine's cores.

The main process cuts the file into blocks of whole lines and keeps their order; each worker
(forked once, with the quick reader, the cipher and the blind index built once) reads its
block's lines quickly and seals their members for storage (adapters/sql/member_bulk.seal):
facts, encrypted personal data, blind indexes, as plain tuples. A line the quick reading
refuses comes back as it was, and the main process reads it carefully as a single-process
import does: it stores it the same, or stops the import with the line and the field.

A few blocks per worker are in flight at most, so memory stays flat whatever the file size.
A worker that dies makes the reading fail (`ReadingFailed`), never hang: the import then
stores nothing, as for any other error.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

import orjson

from adapters.bulk_gc import pace_for_bulk
from adapters.crypto import BlindIndex, FieldCipher
from adapters.registry_files import household_object, read_entries
from adapters.registry_format import read_household
from adapters.registry_quick import Quick, quick_reader
from adapters.sql.member_bulk import Sealed, seal, sealed_entry
from domain.records import StoredEntry
from domain.reference import ReferenceData
from domain.registry import check_household

BLOCK_BYTES = 1 << 19  # about 350 households: enough work per block to hide its sending
IN_FLIGHT_PER_WORKER = 3  # blocks: one being read, the next ones waiting their turn
# Below this size a file is read in process: starting the workers would cost more.
SMALL_FILE_BYTES = 4 << 20
_BOM = b"\xef\xbb\xbf"

# A worker's readers, built once by `_start` (a worker process serves one import only).
_worker: tuple[Quick, FieldCipher, BlindIndex] | None = None
# What a worker answers per line: the household's sealed members, or the line to read carefully.
Answer = tuple[int, list[Sealed] | bytes]


class ReadingFailed(RuntimeError):
    """A worker process stopped before answering: nothing of the file may be stored."""


def read_sealed(
    path: Path,
    ref: ReferenceData,
    today: date,
    *,
    cipher: FieldCipher,
    index: BlindIndex,
    workers: int,
    block_bytes: int = BLOCK_BYTES,
    small_file_bytes: int = SMALL_FILE_BYTES,
) -> Iterator[tuple[int, Sequence[StoredEntry]]]:
    """Each household of a registry file, in order, with its line number: sealed by `workers`
    processes, or read in process (no workers, or a small file)."""
    if workers <= 0 or path.stat().st_size < small_file_bytes:
        yield from read_entries(path, ref, today)
        return
    # fork: the workers get the reference data and the keys without their being pickled;
    # they are all forked at the first block, before the import's writer thread starts.
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(ref, today, cipher, index)
    )
    try:
        pending: deque[Future[list[Answer]]] = deque()
        for first, block in _blocks(path, block_bytes):
            pending.append(pool.submit(_seal_block, first, block))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield from _households(pending.popleft().result(), ref, today)
        while pending:
            yield from _households(pending.popleft().result(), ref, today)
    except BrokenProcessPool:
        raise ReadingFailed("un processus de lecture s'est arrêté") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _households(
    answers: list[Answer], ref: ReferenceData, today: date
) -> Iterator[tuple[int, Sequence[StoredEntry]]]:
    for line, answer in answers:
        if isinstance(answer, bytes):  # refused by the quick reading: read it carefully
            household = read_household(household_object(answer, line), line=line)
            yield line, check_household(household, ref, line=line, today=today)
        else:
            yield line, [sealed_entry(row) for row in answer]


def _blocks(path: Path, size: int) -> Iterator[tuple[int, bytes]]:
    """The file in blocks of whole lines, each with the number of its first line."""
    number, rest = 1, b""
    with path.open("rb") as lines:
        while chunk := lines.read(size):
            data = rest + chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # a line longer than a block: read on
                rest = data
                continue
            block, rest = data[:cut], data[cut:]
            yield number, block
            number += block.count(b"\n")
    if rest:
        yield number, rest


def _start(ref: ReferenceData, today: date, cipher: FieldCipher, index: BlindIndex) -> None:
    """A worker's readers, once."""
    global _worker
    _worker = (quick_reader(ref, today), cipher, index)
    pace_for_bulk()


def _seal_block(first: int, block: bytes) -> list[Answer]:
    """In a worker: each non-blank line's sealed members, or the line itself if the quick
    reading refuses it (invalid JSON included: the careful reading names the error)."""
    assert _worker is not None, "worker not started"
    quick, cipher, index = _worker
    answers: list[Answer] = []
    for number, raw in enumerate(block.split(b"\n"), start=first):
        text = raw.removeprefix(_BOM) if number == 1 else raw
        if not text.strip():
            continue
        try:
            entries = quick(orjson.loads(text))
        except orjson.JSONDecodeError:
            entries = None
        if entries is None:
            answers.append((number, text))
        else:
            answers.append((number, [seal(entry, cipher, index) for entry in entries]))
    return answers
