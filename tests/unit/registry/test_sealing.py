"""A worker's block of lines: each household sealed as its careful reading would be stored, or
sent back to be read carefully; line numbers are the file's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from adapters import registry_parallel
from adapters.crypto import BlindIndex, FieldCipher
from adapters.registry_parallel import _blocks, _seal_block, _start
from adapters.sql.member_bulk import Sealed, seal
from domain.reference import ReferenceData
from tests.unit.registry.builders import TODAY, valid_household
from tests.unit.registry.test_quick import careful, spoiled

CIPHER = FieldCipher({"k1": os.urandom(32)}, "k1")
INDEX = BlindIndex(os.urandom(32))


@pytest.fixture(autouse=True)
def worker(ref: ReferenceData) -> Iterator[None]:
    """This process as a started worker, for the test only."""
    _start(ref, TODAY, CIPHER, INDEX)
    yield
    registry_parallel._worker = None


def opened(row: Sealed) -> tuple[Any, ...]:
    """A sealed member with its personal data decrypted (each encryption draws a nonce)."""
    member_id, pairs, version, facts, names, digests = row
    return member_id, pairs, version, facts, CIPHER.decrypt(names, aad=member_id.encode()), digests


class TestSealBlock:
    def test_a_spoiled_household_is_sealed_as_read_carefully_or_sent_back(
        self, ref: ReferenceData
    ) -> None:
        households = list(spoiled(valid_household()))
        block = b"\n".join(orjson.dumps(h) for h in households)
        answers = _seal_block(1, block)
        assert [line for line, _ in answers] == list(range(1, len(households) + 1))
        sealed = 0
        for (_line, answer), household in zip(answers, households, strict=True):
            entries = careful(household, ref)
            if isinstance(answer, bytes):
                assert answer == orjson.dumps(household)
                continue
            assert entries is not None, household  # never sealed what the rules refuse
            expected = [opened(seal(entry, CIPHER, INDEX)) for entry in entries]
            assert [opened(row) for row in answer] == expected
            sealed += 1
        assert 0 < sealed < len(households)

    def test_blank_lines_a_byte_order_mark_and_bad_json_keep_the_file_numbers(self) -> None:
        good = orjson.dumps(valid_household())
        block = b"\xef\xbb\xbf" + good + b"\n\n  \r\n{oops\n" + good
        answers = _seal_block(1, block)
        assert [line for line, _ in answers] == [1, 4, 5]
        assert answers[1][1] == b"{oops"
        assert not isinstance(answers[0][1], bytes) and not isinstance(answers[2][1], bytes)
        later = _seal_block(7, block)  # the same lines further on: a BOM only on line 1
        assert later[0][0] == 7 and isinstance(later[0][1], bytes)

    def test_blocks_hold_whole_lines_numbered_as_in_the_file(self, tmp_path: Any) -> None:
        lines = [b"x" * size for size in (5, 40, 0, 3, 90, 7)]
        path = tmp_path / "lines.jsonl"
        path.write_bytes(b"\n".join(lines))
        numbered = [
            (first + offset, line)
            for first, block in _blocks(path, 16)
            for offset, line in enumerate(block.split(b"\n"))
            if line
        ]
        assert numbered == [(n, line) for n, line in enumerate(lines, start=1) if line]
