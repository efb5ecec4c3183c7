"""Resource ids that sort by creation time (UUID version 7, RFC 9562).

Random ids (version 4) scatter inserts over every page of an index, and each commit then
rewrites many pages; time-ordered ids append at the right edge of the index.
"""

from __future__ import annotations

import os
import time


def new_id() -> str:
    """A UUIDv7: 48 bits of Unix milliseconds, then 74 random bits."""
    millis = time.time_ns() // 1_000_000
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 9562 variant
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
