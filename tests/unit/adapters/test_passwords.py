"""argon2id password hashes and TOTP codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anyio
import pytest

from adapters.passwords import Argon2Passwords, TotpCodes

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class TestArgon2Passwords:
    @pytest.mark.anyio
    async def test_a_hash_verifies_its_password_only(self) -> None:
        hasher = Argon2Passwords(time_cost=1, memory_kib=1024)
        encoded = await hasher.hash("s3cret passphrase")
        assert encoded.startswith("$argon2id$v=19$m=1024,t=1")
        assert await hasher.verify(encoded, "s3cret passphrase")
        assert not await hasher.verify(encoded, "s3cret passphrasE")

    @pytest.mark.anyio
    async def test_the_same_password_gets_another_salt(self) -> None:
        hasher = Argon2Passwords(time_cost=1, memory_kib=1024)
        assert await hasher.hash("same password") != await hasher.hash("same password")

    @pytest.mark.anyio
    async def test_an_unreadable_hash_verifies_nothing(self) -> None:
        assert not await Argon2Passwords().verify("not-a-hash", "anything")

    @pytest.mark.anyio
    async def test_hashing_leaves_the_event_loop_free(self) -> None:
        hasher, ticks = Argon2Passwords(), 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await anyio.sleep(0.005)
                ticks += 1

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(tick)
            await hasher.hash("a password long enough")
            tasks.cancel_scope.cancel()
        assert ticks >= 3  # the loop ran while the hash was computed


class TestTotpCodes:
    def test_the_code_of_the_moment_and_of_the_step_before_are_accepted(self) -> None:
        codes = TotpCodes()
        secret = codes.new_secret()
        assert codes.verify(secret, codes.code(secret, AT), AT)
        assert codes.verify(secret, codes.code(secret, AT - timedelta(seconds=30)), AT)

    def test_an_old_or_malformed_code_is_refused(self) -> None:
        codes = TotpCodes()
        secret = codes.new_secret()
        assert not codes.verify(secret, codes.code(secret, AT - timedelta(minutes=2)), AT)
        assert not codes.verify(secret, "12345a", AT)
        assert not codes.verify(secret, "", AT)
