"""People's accounts: sign in, throttling, second factor, sessions, roles."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.cache.memory import MemoryRateLimiter
from adapters.passwords import TotpCodes
from domain.accounts import AccountExists, InvalidCredentials, NotPermitted
from domain.errors import InvalidRequest, RateLimited
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


async def _add(ports: accounts.AccountPorts, email: str, role: str = "pharmacist", **kw: object):
    org = str(kw.pop("org", PHARMACY.id))
    cmd = AddUser(org=org, email=email, role=role, password=PASSWORD)
    return await accounts.add_user(cmd, ports=ports)


class TestAddUser:
    async def test_the_password_is_kept_as_an_argon2id_hash(self, world) -> None:
        ports = account_ports(*world)
        user = await _add(ports, " Amina@Atlas.ma ")
        assert user.email == "amina@atlas.ma"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash

    async def test_a_role_of_the_other_side_is_refused(self, world) -> None:
        with pytest.raises(InvalidRequest, match="Rôle"):
            await _add(account_ports(*world), "a@atlas.ma", role="reviewer")

    async def test_an_unknown_organization_is_refused(self, world) -> None:
        with pytest.raises(InvalidRequest, match="Organisation inconnue"):
            await _add(account_ports(*world), "a@atlas.ma", org="nowhere")

    async def test_a_short_password_is_refused(self, world) -> None:
        cmd = AddUser(org=PHARMACY.id, email="a@atlas.ma", role="desk", password="short")
        with pytest.raises(InvalidRequest, match="trop court"):
            await accounts.add_user(cmd, ports=account_ports(*world))

    async def test_an_email_is_taken_once(self, world) -> None:
        ports = account_ports(*world)
        await _add(ports, "a@atlas.ma")
        with pytest.raises(AccountExists):
            await _add(ports, "A@atlas.ma", org=OTHER.id)


class TestLogIn:
    async def test_valid_credentials_open_a_session_kept_under_a_hash(self, world) -> None:
        store, audit, _ = world
        ports = account_ports(*world)
        user = await _add(ports, "a@atlas.ma")
        opened = await accounts.log_in(LogIn("A@atlas.ma", PASSWORD, "10.0.0.1"), ports=ports)
        assert opened.session.user_id == user.id and opened.session.org == PHARMACY.id
        assert opened.token not in store.sessions
        assert accounts.session_key(opened.token) in store.sessions
        assert [(e.action, e.outcome) for e in audit.entries] == [
            ("portal.user-add", 201),
            ("portal.login", 200),
        ]
        assert audit.entries[-1].tenant == PHARMACY.id

    async def test_a_wrong_password_is_refused_and_audited(self, world) -> None:
        _, audit, _ = world
        ports = account_ports(*world)
        await _add(ports, "a@atlas.ma")
        with pytest.raises(InvalidCredentials):
            await accounts.log_in(LogIn("a@atlas.ma", "wrong password!", "10.0.0.1"), ports=ports)
        assert [(e.action, e.outcome) for e in audit.entries][-1] == ("portal.login", 401)

    async def test_an_unknown_email_is_refused_like_a_wrong_password(self, world) -> None:
        with pytest.raises(InvalidCredentials, match="Identifiants incorrects"):
            await accounts.log_in(LogIn("x@y.ma", PASSWORD, "1.1.1.1"), ports=account_ports(*world))

    async def test_each_login_opens_a_new_session(self, world) -> None:
        ports = account_ports(*world)
        await _add(ports, "a@atlas.ma")
        first = await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "10.0.0.1"), ports=ports)
        second = await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "10.0.0.1"), ports=ports)
        assert first.token != second.token


class TestSignInAgain:
    async def test_signing_in_again_ends_the_session_the_browser_held(self, world) -> None:
        ports = account_ports(*world)
        await _add(ports, "a@atlas.ma")
        first = await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1"), ports=ports)
        again = LogIn("a@atlas.ma", PASSWORD, "1", replacing=first.token)
        second = await accounts.log_in(again, ports=ports)
        assert await accounts.current_session(first.token, ports=ports) is None
        assert await accounts.current_session(second.token, ports=ports) is not None

    async def test_a_failed_sign_in_keeps_the_session_the_browser_held(self, world) -> None:
        ports = account_ports(*world)
        await _add(ports, "a@atlas.ma")
        first = await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1"), ports=ports)
        with pytest.raises(InvalidCredentials):
            await accounts.log_in(LogIn("a@atlas.ma", "wrong!", "1", replacing=first.token),
                                  ports=ports)  # fmt: skip
        assert await accounts.current_session(first.token, ports=ports) is not None


class TestThrottle:
    async def test_failures_past_the_limit_lock_the_account_even_for_its_password(
        self, world
    ) -> None:
        store, audit, clock = world
        ports = account_ports(*world, attempts=5)
        user = await _add(ports, "a@atlas.ma")
        for _ in range(5):
            with pytest.raises(InvalidCredentials):
                await accounts.log_in(LogIn("a@atlas.ma", "bad password!", "1.1.1.1"), ports=ports)
        with pytest.raises(RateLimited):
            await accounts.log_in(LogIn("a@atlas.ma", "bad password!", "1.1.1.1"), ports=ports)
        with pytest.raises(RateLimited) as refused:
            await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1.1.1.1"), ports=ports)
        assert refused.value.retry_after == pytest.approx(ports.lockout_minutes * 60)
        assert store.users[user.id].locked_until is not None
        assert [(e.outcome, e.detail) for e in audit.entries][-1] == (429, "compte verrouillé")
        clock.advance(timedelta(minutes=ports.lockout_minutes, seconds=1))
        assert await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1.1.1.1"), ports=ports)

    async def test_successful_sign_ins_do_not_count_against_the_account(self, world) -> None:
        ports = account_ports(*world, attempts=2)
        await _add(ports, "a@atlas.ma")
        for _ in range(5):
            assert await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1.1.1.1"), ports=ports)

    async def test_an_address_past_its_limit_is_refused_whatever_the_account(self, world) -> None:
        ports = replace(
            account_ports(*world),
            per_address=MemoryRateLimiter(rate_per_second=1 / 60, burst=2),
        )
        await _add(ports, "a@atlas.ma")
        for _ in range(2):
            with pytest.raises(InvalidCredentials):
                await accounts.log_in(LogIn("nobody@x.ma", "guess guess!", "6.6.6.6"), ports=ports)
        with pytest.raises(RateLimited):
            await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "6.6.6.6"), ports=ports)
        assert await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "7.7.7.7"), ports=ports)


class TestSecondFactor:
    async def test_an_enrolled_account_needs_the_current_code(self, world) -> None:
        _, _, clock = world
        ports = account_ports(*world)
        codes = TotpCodes()
        secret = codes.new_secret()
        cmd = AddUser(PHARMACY.id, "t@atlas.ma", "admin", PASSWORD, totp_secret=secret)
        await accounts.add_user(cmd, ports=ports)
        with pytest.raises(InvalidCredentials):
            await accounts.log_in(LogIn("t@atlas.ma", PASSWORD, "1.1.1.1"), ports=ports)
        stale = codes.code(secret, clock.now() - timedelta(minutes=5))
        with pytest.raises(InvalidCredentials):
            await accounts.log_in(LogIn("t@atlas.ma", PASSWORD, "1.1.1.1", stale), ports=ports)
        code = codes.code(secret, clock.now())
        assert await accounts.log_in(LogIn("t@atlas.ma", PASSWORD, "1.1.1.1", code), ports=ports)


class TestSessions:
    async def test_a_session_ends_when_it_expires(self, world) -> None:
        _, _, clock = world
        ports = account_ports(*world)
        await _add(ports, "a@atlas.ma")
        opened = await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1.1.1.1"), ports=ports)
        assert await accounts.current_session(opened.token, ports=ports) == opened.session
        clock.advance(timedelta(hours=ports.session_hours, seconds=1))
        assert await accounts.current_session(opened.token, ports=ports) is None

    async def test_logging_out_everywhere_ends_every_session_of_the_person(self, world) -> None:
        ports = account_ports(*world)
        await _add(ports, "a@atlas.ma")
        await _add(ports, "b@atlas.ma")
        login = LogIn("a@atlas.ma", PASSWORD, "1")
        mine = [await accounts.log_in(login, ports=ports) for _ in "ab"]
        theirs = await accounts.log_in(LogIn("b@atlas.ma", PASSWORD, "1"), ports=ports)
        assert await accounts.log_out_everywhere(mine[0].session, ports=ports) == 2
        assert await accounts.current_session(mine[1].token, ports=ports) is None
        assert await accounts.current_session(theirs.token, ports=ports) is not None


class TestRoles:
    async def test_only_an_admin_lists_the_organization_s_users(self, world) -> None:
        ports = account_ports(*world)
        await _add(ports, "desk@atlas.ma", role="desk")
        await _add(ports, "admin@atlas.ma", role="admin")
        await _add(ports, "else@other.ma", role="admin", org=OTHER.id)
        desk = await accounts.log_in(LogIn("desk@atlas.ma", PASSWORD, "1"), ports=ports)
        with pytest.raises(NotPermitted):
            await accounts.users_of(desk.session, ports=ports)
        admin = await accounts.log_in(LogIn("admin@atlas.ma", PASSWORD, "1"), ports=ports)
        users = await accounts.users_of(admin.session, ports=ports)
        assert [u.email for u in users] == ["admin@atlas.ma", "desk@atlas.ma"]


class TestAddColleague:
    async def test_an_admin_adds_a_person_to_its_own_organization_audited_as_itself(
        self, world
    ) -> None:
        _, audit, _ = world
        ports = account_ports(*world)
        await _add(ports, "admin@atlas.ma", role="admin")
        admin = await accounts.log_in(LogIn("admin@atlas.ma", PASSWORD, "1"), ports=ports)
        added = await accounts.add_colleague(
            admin.session, "new@atlas.ma", "desk", PASSWORD, ports=ports
        )
        assert added.org == PHARMACY.id and added.role.value == "desk"
        entry = audit.entries[-1]
        assert (entry.action, entry.client_id) == (
            "portal.user-add",
            f"staff:{admin.session.user_id}",
        )
        assert entry.resource == f"StaffUser/{added.id}" and entry.tenant == PHARMACY.id

    async def test_a_desk_clerk_cannot_add_anyone(self, world) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        await _add(ports, "desk@atlas.ma", role="desk")
        desk = await accounts.log_in(LogIn("desk@atlas.ma", PASSWORD, "1"), ports=ports)
        with pytest.raises(NotPermitted):
            await accounts.add_colleague(desk.session, "x@atlas.ma", "admin", PASSWORD, ports=ports)
        assert await store.by_email("x@atlas.ma") is None
