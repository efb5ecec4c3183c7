"""Field encryption, rotation and blind indexes."""

from __future__ import annotations

import base64
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.crypto import BlindIndex, CryptoError, FieldCipher, new_key, parse_keyring


@pytest.fixture
def keys() -> dict[str, bytes]:
    return parse_keyring(f"k1:{new_key()},k2:{new_key()}")


class TestFieldCipher:
    def test_round_trip(self, keys: dict[str, bytes]) -> None:
        cipher = FieldCipher(keys, "k1")
        token = cipher.encrypt(b"Alaoui", aad=b"member/1")
        assert cipher.decrypt(token, aad=b"member/1") == b"Alaoui"

    def test_token_names_its_key_and_hides_the_plaintext(self, keys: dict[str, bytes]) -> None:
        token = FieldCipher(keys, "k1").encrypt(b"Alaoui")
        assert token.startswith(b"v1.k1.")
        assert b"Alaoui" not in token and b"Alaoui" not in base64.urlsafe_b64decode(
            token.split(b".")[2]
        )

    def test_same_plaintext_gives_different_tokens(self, keys: dict[str, bytes]) -> None:
        cipher = FieldCipher(keys, "k1")
        assert cipher.encrypt(b"x") != cipher.encrypt(b"x")

    def test_other_aad_does_not_decrypt(self, keys: dict[str, bytes]) -> None:
        cipher = FieldCipher(keys, "k1")
        token = cipher.encrypt(b"Alaoui", aad=b"member/1")
        with pytest.raises(CryptoError):
            cipher.decrypt(token, aad=b"member/2")

    def test_tampered_token_does_not_decrypt(self, keys: dict[str, bytes]) -> None:
        cipher = FieldCipher(keys, "k1")
        token = bytearray(cipher.encrypt(b"Alaoui"))
        token[20] = ord("A") if token[20] != ord("A") else ord("B")  # a nonce character
        with pytest.raises(CryptoError):
            cipher.decrypt(bytes(token))

    def test_rotation_reads_old_tokens_and_writes_with_the_new_key(
        self, keys: dict[str, bytes]
    ) -> None:
        old = FieldCipher(keys, "k1").encrypt(b"Alaoui")
        rotated = FieldCipher(keys, "k2")
        assert rotated.decrypt(old) == b"Alaoui"
        assert rotated.needs_rotation(old)
        assert not rotated.needs_rotation(rotated.encrypt(b"Alaoui"))
        assert rotated.key_id_of(rotated.encrypt(b"x")) == "k2"

    def test_retired_key_is_reported(self, keys: dict[str, bytes]) -> None:
        token = FieldCipher(keys, "k1").encrypt(b"x")
        with pytest.raises(CryptoError, match="unknown"):
            FieldCipher({"k2": keys["k2"]}, "k2").decrypt(token)

    def test_short_key_is_refused(self) -> None:
        with pytest.raises(CryptoError, match="32 bytes"):
            FieldCipher({"k1": b"short"}, "k1")

    def test_current_key_must_be_in_the_ring(self, keys: dict[str, bytes]) -> None:
        with pytest.raises(CryptoError, match="not in the key ring"):
            FieldCipher(keys, "k9")

    def test_garbage_is_not_a_token(self, keys: dict[str, bytes]) -> None:
        with pytest.raises(CryptoError):
            FieldCipher(keys, "k1").decrypt(b"plain text")


class TestBlindIndex:
    def test_same_input_same_digest(self) -> None:
        key = base64.b64decode(new_key())
        assert BlindIndex(key).digest("cin", "BK1") == BlindIndex(key).digest("cin", "BK1")

    def test_kind_separates_namespaces(self) -> None:
        index = BlindIndex(base64.b64decode(new_key()))
        assert index.digest("cin", "123") != index.digest("cnss", "123")

    def test_depends_on_the_key(self) -> None:
        first = BlindIndex(base64.b64decode(new_key())).digest("cin", "BK1")
        assert first != BlindIndex(base64.b64decode(new_key())).digest("cin", "BK1")

    def test_is_32_hex_characters(self) -> None:
        digest = BlindIndex(base64.b64decode(new_key())).digest("cin", "BK1")
        assert len(digest) == 32 and int(digest, 16) >= 0

    def test_short_key_is_refused(self) -> None:
        with pytest.raises(CryptoError):
            BlindIndex(b"0" * 16)

    def test_is_the_stored_hmac_sha256_prefix(self) -> None:
        # Every stored index was written with this function: it must never change.
        assert BlindIndex(b"k" * 32).digest("cin", "BK1") == "c6dfb3616b30cb932609db7cdabd160e"

    @given(key=st.binary(min_size=32, max_size=32), kind=st.text(), value=st.text())
    def test_agrees_with_the_standard_library_hmac(self, key: bytes, kind: str, value: str) -> None:
        message = f"{kind}\x1f{value}".encode()
        expected = hmac.new(key, message, "sha256").hexdigest()[:32]
        index = BlindIndex(key)
        assert index.digest(kind, value) == expected
        assert index.digest(kind, value) == expected  # the precomputed states stay untouched


class TestParseKeyring:
    def test_parses_several_keys(self) -> None:
        first, second = new_key(), new_key()
        ring = parse_keyring(f" k1:{first} , k2:{second} ")
        assert ring == {"k1": base64.b64decode(first), "k2": base64.b64decode(second)}

    def test_new_key_is_32_random_bytes(self) -> None:
        assert len(base64.b64decode(new_key())) == 32 and new_key() != new_key()

    @pytest.mark.parametrize(
        "text",
        ["", "k1", "k1:not base64!", f"k1:{base64.b64encode(b'x' * 16).decode()}", "a.b:AAAA"],
    )
    def test_malformed_rings_are_refused(self, text: str) -> None:
        with pytest.raises(CryptoError):
            FieldCipher(parse_keyring(text), "k1")

    def test_a_bare_key_is_refused_without_being_quoted(self) -> None:
        bare = new_key()
        with pytest.raises(CryptoError) as refused:
            parse_keyring(f"k1:{new_key()},{bare}")
        assert str(refused.value) == "key ring entry 2 is not of the form id:base64key"

    def test_duplicate_key_id_is_refused(self) -> None:
        with pytest.raises(CryptoError, match="twice"):
            parse_keyring(f"k1:{new_key()},k1:{new_key()}")
