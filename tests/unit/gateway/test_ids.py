"""Time-ordered resource ids."""

from __future__ import annotations

import re
import time
import uuid

from gateway.ids import new_id


class TestNewId:
    def test_is_a_version_7_rfc_uuid(self) -> None:
        parsed = uuid.UUID(new_id())
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122

    def test_carries_the_creation_millisecond(self) -> None:
        before = time.time_ns() // 1_000_000
        stamp = uuid.UUID(new_id()).int >> 80
        assert before <= stamp <= time.time_ns() // 1_000_000

    def test_later_ids_sort_after_earlier_ones(self) -> None:
        first = new_id()
        time.sleep(0.002)
        assert new_id() > first

    def test_is_a_valid_fhir_id_and_unique(self) -> None:
        ids = {new_id() for _ in range(10_000)}
        assert len(ids) == 10_000
        assert all(re.fullmatch(r"[A-Za-z0-9\-\.]{1,64}", i) for i in ids)


class TestRandomBytes:
    def test_never_the_same_bytes_across_buffers_and_threads(self) -> None:
        import threading

        from gateway.ids import BUFFER_BYTES, random_bytes

        taken: list[bytes] = []

        def draw() -> None:
            taken.extend(random_bytes(10) for _ in range(3 * BUFFER_BYTES // 10))

        threads = [threading.Thread(target=draw) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(len(chunk) == 10 for chunk in taken)
        assert len(set(taken)) == len(taken) == 4 * (3 * BUFFER_BYTES // 10)

    def test_a_forked_child_never_draws_its_parents_bytes(self) -> None:
        import os

        from gateway.ids import random_bytes

        random_bytes(1)  # the parent holds a buffer
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its next bytes, to the parent
            os.write(writer, random_bytes(16))
            os._exit(0)
        os.close(writer)
        os.waitpid(pid, 0)
        child = os.read(reader, 16)
        os.close(reader)
        assert len(child) == 16 and child != random_bytes(16)
