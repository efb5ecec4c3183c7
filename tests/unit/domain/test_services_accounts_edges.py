"""People's accounts at their edges: what each sign-in, refusal and sign-out writes to the
audit trail, the instants a session and a lock end, the limits' boundaries, the refusals'
words."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.cache.memory import MemoryRateLimiter
from domain.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountExists,
    InvalidCredentials,
    NotPermitted,
    Side,
    StaffRole,
    StaffSession,
)
from domain.errors import InvalidRequest, RateLimited
from domain.records import AuditEntry
from domain.services import accounts
from domain.services.accounts import AddUser, LogIn
from tests.account_fakes import OTHER, PHARMACY, FakeAccounts, ListAudit, account_ports
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"


@pytest.fixture
def world() -> tuple[FakeAccounts, ListAudit, FakeClock]:
    """An empty store of two pharmacies and the payers."""
    return FakeAccounts({PHARMACY.id: PHARMACY, OTHER.id: OTHER}), ListAudit(), FakeClock()


async def _add(ports: accounts.AccountPorts, email: str, role: str = "pharmacist"):
    return await accounts.add_user(AddUser(PHARMACY.id, email, role, PASSWORD), ports=ports)


def _entry(clock: FakeClock, action: str, outcome: int, user_id: str | None, detail: str = ""):
    """The audit entry of an account of the pharmacy (None: of no known account)."""
    tenant = None if user_id is None else PHARMACY.id
    client = None if user_id is None else f"staff:{user_id}"
    return AuditEntry(clock.now(), action, outcome, tenant, client, None, detail)


class TestAudited:
    async def test_a_sign_in_opens_the_account_s_session_audited_as_the_account(
        self, world
    ) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        user = await _add(ports, "a@atlas.ma")
        opened = await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1"), ports=ports)
        assert opened.session == StaffSession(
            user.id, PHARMACY.id, Side.PROVIDER, StaffRole.PHARMACIST, "a@atlas.ma",
            clock.now(), clock.now() + timedelta(hours=8),
        )  # fmt: skip
        assert audit.entries[-1] == _entry(clock, "portal.login", 200, user.id)

    async def test_a_wrong_password_is_audited_under_the_account(self, world) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        user = await _add(ports, "a@atlas.ma")
        with pytest.raises(InvalidCredentials, match=r"^Identifiants incorrects$"):
            await accounts.log_in(LogIn("a@atlas.ma", "wrong password!", "1"), ports=ports)
        assert audit.entries[-1] == _entry(
            clock, "portal.login", 401, user.id, "identifiants refusés"
        )

    async def test_an_unknown_address_is_audited_under_no_account(self, world) -> None:
        _, audit, clock = world
        with pytest.raises(InvalidCredentials):
            await accounts.log_in(LogIn("x@y.ma", PASSWORD, "1"), ports=account_ports(*world))
        assert audit.entries == [_entry(clock, "portal.login", 401, None, "identifiants refusés")]

    async def test_a_user_added_is_audited_with_its_role(self, world) -> None:
        _, audit, clock = world
        user = await _add(account_ports(*world), "a@atlas.ma")
        assert user.created == clock.now()
        assert audit.entries == [
            AuditEntry(clock.now(), "portal.user-add", 201, PHARMACY.id, "cli",
                       f"StaffUser/{user.id}", "rôle pharmacist")
        ]  # fmt: skip

    async def test_signing_out_ends_this_session_only(self, world) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        user = await _add(ports, "a@atlas.ma")
        here, there = [await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1"), ports=ports)
                       for _ in "ab"]  # fmt: skip
        await accounts.log_out(here.token, here.session, ports=ports)
        assert await accounts.current_session(here.token, ports=ports) is None
        assert await accounts.current_session(there.token, ports=ports) == there.session
        assert audit.entries[-1] == _entry(clock, "portal.logout", 200, user.id)

    async def test_signing_out_everywhere_is_audited_with_the_count(self, world) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        user = await _add(ports, "a@atlas.ma")
        opened = [await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1"), ports=ports)
                  for _ in "ab"]  # fmt: skip
        assert await accounts.log_out_everywhere(opened[0].session, ports=ports) == 2
        assert audit.entries[-1] == _entry(
            clock, "portal.logout-everywhere", 200, user.id, "2 sessions"
        )


class TestBoundaries:
    async def test_a_session_ends_at_its_expiry_instant(self, world) -> None:
        _, _, clock = world
        ports = account_ports(*world)
        await _add(ports, "a@atlas.ma")
        opened = await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1"), ports=ports)
        clock.advance(timedelta(hours=ports.session_hours) - timedelta(microseconds=1))
        assert await accounts.current_session(opened.token, ports=ports) == opened.session
        clock.advance(timedelta(microseconds=1))
        assert await accounts.current_session(opened.token, ports=ports) is None

    async def test_a_lock_ends_at_its_instant(self, world) -> None:
        store, audit, clock = world
        ports = account_ports(*world)
        user = await _add(ports, "a@atlas.ma")
        await store.lock(user.id, clock.now() + timedelta(minutes=10))
        clock.advance(timedelta(minutes=10) - timedelta(seconds=1))
        with pytest.raises(RateLimited) as refused:
            await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1"), ports=ports)
        assert refused.value.retry_after == 1
        assert audit.entries[-1] == _entry(clock, "portal.login", 429, user.id, "compte verrouillé")
        clock.advance(timedelta(seconds=1))
        assert await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1"), ports=ports)

    async def test_a_password_of_the_minimum_length_is_enough(self, world) -> None:
        ports = account_ports(*world)
        cmd = AddUser(PHARMACY.id, "a@atlas.ma", "desk", "x" * MIN_PASSWORD_LENGTH)
        assert (await accounts.add_user(cmd, ports=ports)).email == "a@atlas.ma"
        short = AddUser(PHARMACY.id, "b@atlas.ma", "desk", "x" * (MIN_PASSWORD_LENGTH - 1))
        with pytest.raises(
            InvalidRequest, match=r"^Mot de passe trop court : 12 caractères au moins$"
        ):
            await accounts.add_user(short, ports=ports)

    async def test_an_account_s_lockout_is_audited_with_its_length(self, world) -> None:
        _, audit, clock = world
        ports = account_ports(*world, attempts=1)
        user = await _add(ports, "a@atlas.ma")
        with pytest.raises(InvalidCredentials):
            await accounts.log_in(LogIn("a@atlas.ma", "bad password!", "1"), ports=ports)
        with pytest.raises(RateLimited) as refused:
            await accounts.log_in(LogIn("a@atlas.ma", "bad password!", "1"), ports=ports)
        assert refused.value.retry_after == 15 * 60
        assert audit.entries[-1] == _entry(clock, "portal.login", 429, user.id, "compte verrouillé")

    async def test_one_account_s_failures_do_not_lock_another(self, world) -> None:
        ports = account_ports(*world, attempts=2)
        await _add(ports, "a@atlas.ma")
        await _add(ports, "b@atlas.ma")
        for email in ("a@atlas.ma", "a@atlas.ma", "b@atlas.ma"):
            with pytest.raises(InvalidCredentials):
                await accounts.log_in(LogIn(email, "bad password!", "1"), ports=ports)

    async def test_an_address_slowed_down_is_told_how_long_and_audited(self, world) -> None:
        _, audit, clock = world
        slow = MemoryRateLimiter(rate_per_second=1 / 60, burst=1, clock=lambda: 0.0)
        ports = replace(account_ports(*world), per_address=slow)
        with pytest.raises(InvalidCredentials):
            await accounts.log_in(LogIn("x@y.ma", "guess guess!", "6"), ports=ports)
        with pytest.raises(RateLimited) as refused:
            await accounts.log_in(LogIn("x@y.ma", "guess guess!", "6"), ports=ports)
        assert refused.value.retry_after == 60
        assert audit.entries[-1] == _entry(
            clock, "portal.login", 429, None, "connexion freinée (adresse)"
        )

    async def test_a_wait_under_a_second_is_still_a_refusal(self, world) -> None:
        fast = MemoryRateLimiter(rate_per_second=2, burst=1, clock=lambda: 0.0)
        ports = replace(account_ports(*world), per_address=fast)
        await _add(ports, "a@atlas.ma")
        assert await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "6"), ports=ports)
        with pytest.raises(RateLimited) as refused:
            await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "6"), ports=ports)
        assert refused.value.retry_after == 0.5


class TestRefusedInWords:
    async def test_an_invalid_email(self, world) -> None:
        with pytest.raises(InvalidRequest, match=r"^Adresse électronique invalide$"):
            await _add(account_ports(*world), "not an email")

    async def test_a_taken_email(self, world) -> None:
        ports = account_ports(*world)
        await _add(ports, "a@atlas.ma")
        with pytest.raises(AccountExists, match=r"^Un compte existe déjà pour a@atlas.ma$"):
            await _add(ports, " A@atlas.ma")

    async def test_a_role_the_side_has_not_names_the_roles_it_has(self, world) -> None:
        with pytest.raises(InvalidRequest) as refused:
            await _add(account_ports(*world), "a@atlas.ma", role="reviewer")
        assert str(refused.value) == (
            "Rôle 'reviewer' inconnu pour cette organisation (accountant, admin, desk, pharmacist)"
        )

    async def test_an_action_the_role_does_not_allow(self, world) -> None:
        ports = account_ports(*world)
        await _add(ports, "desk@atlas.ma", role="desk")
        desk = await accounts.log_in(LogIn("desk@atlas.ma", PASSWORD, "1"), ports=ports)
        with pytest.raises(NotPermitted, match=r"^Votre rôle ne permet pas cette action$"):
            await accounts.users_of(desk.session, ports=ports)
