"""The key a prise en charge records of its patient: keyed, stable, telling nothing."""

from __future__ import annotations

from adapters.crypto import BlindIndex
from adapters.patient_keys import BlindPatientKey
from adapters.sql.claim_lines import MEMBER_KIND

KEY = bytes(range(32))


class TestBlindPatientKey:
    def test_the_same_member_always_has_the_same_key_and_another_another(self) -> None:
        key = BlindPatientKey(BlindIndex(KEY))
        assert key("M-123456") == BlindPatientKey(BlindIndex(KEY))("M-123456")
        assert key("M-123456") != key("M-123457")

    def test_the_key_tells_nothing_of_the_member_id_and_depends_on_the_index_key(self) -> None:
        key = BlindPatientKey(BlindIndex(KEY))("M-123456")
        assert "123456" not in key and len(key) == 32
        assert key != BlindPatientKey(BlindIndex(bytes(32)))("M-123456")

    def test_it_cannot_be_joined_with_the_claim_history_s_member_index(self) -> None:
        index = BlindIndex(KEY)
        assert BlindPatientKey(index)("M-123456") != index.digest(MEMBER_KIND, "M-123456")
