"""Resource ids that sort by creation time (UUID version 7, RFC 9562).

Random ids (version 4) scatter inserts over every page of an index, and each commit then
rewrites many pages; time-ordered ids append at the right edge of the index.
"""

from __future__ import annotations

import os
import threading
import time

BUFFER_BYTES = 4096  # one system call for about 400 ids: each call costs microseconds


class _Entropy(threading.local):
    """The operating system's random bytes, read a page at a time per thread."""

    def __init__(self) -> None:
        self.buffer, self.at = b"", 0

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.buffer):
            self.buffer, self.at = os.urandom(BUFFER_BYTES), 0
        taken = self.buffer[self.at : self.at + size]
        self.at += size
        return taken


_entropy = _Entropy()


def _forget_in_child() -> None:
    """A forked process must not hand out the bytes its parent still holds."""
    global _entropy
    _entropy = _Entropy()


os.register_at_fork(after_in_child=_forget_in_child)


def random_bytes(size: int) -> bytes:
    """`size` bytes from the operating system's generator (never the same bytes twice)."""
    return _entropy.take(size)


def new_id() -> str:
    """A UUIDv7: 48 bits of Unix milliseconds, then 74 random bits."""
    millis = time.time_ns() // 1_000_000
    value = (millis << 80) | int.from_bytes(random_bytes(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 9562 variant
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
