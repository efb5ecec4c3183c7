"""A person's own second factor: switched on with their password and a code of the secret
offered, off with their password and a current code; guesses count as failed sign-ins."""

from __future__ import annotations

import pytest

from adapters.passwords import TotpCodes
from domain.accounts import InvalidCredentials, NotPermitted
from domain.errors import Conflict, InvalidRequest, RateLimited
from domain.services import accounts
from domain.services.accounts import AddUser, LogIn, Opened
from tests.account_fakes import PHARMACY, FakeAccounts, ListAudit, account_ports
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"
CODES = TotpCodes()
World = tuple[FakeAccounts, ListAudit, FakeClock]


@pytest.fixture
def world() -> World:
    """An empty store of one pharmacy and the payers."""
    return FakeAccounts({PHARMACY.id: PHARMACY}), ListAudit(), FakeClock()


async def _signed_in(ports: accounts.AccountPorts, times: int = 1) -> list[Opened]:
    cmd = AddUser(PHARMACY.id, "a@atlas.ma", "pharmacist", PASSWORD)
    await accounts.add_user(cmd, ports=ports)
    login = LogIn("a@atlas.ma", PASSWORD, "1.1.1.1")
    return [await accounts.log_in(login, ports=ports) for _ in range(times)]


class TestEnrolment:
    async def test_a_new_secret_comes_with_the_uri_the_app_reads(self, world: World) -> None:
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        offered = accounts.enrolment(me.session, ports=ports)
        assert len(offered.secret) >= 26
        assert offered.uri.startswith("otpauth://totp/") and offered.secret in offered.uri
        assert accounts.enrolment(me.session, offered.secret, ports=ports) == offered

    async def test_an_unreadable_secret_is_refused(self, world: World) -> None:
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        with pytest.raises(InvalidRequest):
            accounts.enrolment(me.session, "not base32 at all!", ports=ports)


class TestEnable:
    async def test_a_code_of_the_secret_and_the_password_switch_it_on(self, world: World) -> None:
        store, audit, clock = world
        ports = account_ports(*world)
        me, other = await _signed_in(ports, times=2)
        secret = accounts.enrolment(me.session, ports=ports).secret
        code = CODES.code(secret, clock.now())
        closed = await accounts.enable_second_factor(
            me.session, me.token, secret, PASSWORD, code, ports=ports
        )
        assert closed == 1
        assert store.users[me.session.user_id].totp_secret == secret
        assert await accounts.second_factor_on(me.session, ports=ports)
        assert await accounts.current_session(me.token, ports=ports) is not None
        assert await accounts.current_session(other.token, ports=ports) is None
        assert (audit.entries[-1].action, audit.entries[-1].outcome) == ("portal.totp.enable", 200)
        with pytest.raises(InvalidCredentials):
            await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1"), ports=ports)
        now = CODES.code(secret, clock.now())
        assert await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1", now), ports=ports)

    async def test_a_wrong_code_keeps_it_off_and_is_audited(self, world: World) -> None:
        store, audit, _ = world
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        secret = accounts.enrolment(me.session, ports=ports).secret
        with pytest.raises(InvalidCredentials):
            await accounts.enable_second_factor(
                me.session, me.token, secret, PASSWORD, "000000", ports=ports
            )
        assert store.users[me.session.user_id].totp_secret is None
        assert (audit.entries[-1].action, audit.entries[-1].outcome) == ("portal.totp.enable", 401)

    async def test_a_wrong_password_with_a_right_code_is_refused(self, world: World) -> None:
        _, _, clock = world
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        secret = accounts.enrolment(me.session, ports=ports).secret
        with pytest.raises(InvalidCredentials):
            await accounts.enable_second_factor(
                me.session, me.token, secret, "not my password", CODES.code(secret, clock.now()),
                ports=ports,
            )  # fmt: skip

    async def test_guessing_locks_the_account_like_failed_sign_ins(self, world: World) -> None:
        store, _, clock = world
        ports = account_ports(*world, attempts=3)
        (me,) = await _signed_in(ports)
        secret = accounts.enrolment(me.session, ports=ports).secret
        for _ in range(3):
            with pytest.raises(InvalidCredentials):
                await accounts.enable_second_factor(
                    me.session, me.token, secret, "guess guess", "123456", ports=ports
                )
        with pytest.raises(RateLimited):
            await accounts.enable_second_factor(
                me.session, me.token, secret, "guess guess", "123456", ports=ports
            )
        assert store.users[me.session.user_id].locked_until is not None
        code = CODES.code(secret, clock.now())
        with pytest.raises(RateLimited):  # locked: the right answers too, for a while
            await accounts.enable_second_factor(
                me.session, me.token, secret, PASSWORD, code, ports=ports
            )
        with pytest.raises(RateLimited):
            await accounts.log_in(LogIn("a@atlas.ma", PASSWORD, "1"), ports=ports)

    async def test_it_is_not_switched_on_twice(self, world: World) -> None:
        _, _, clock = world
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        secret = accounts.enrolment(me.session, ports=ports).secret
        code = CODES.code(secret, clock.now())
        await accounts.enable_second_factor(me.session, me.token, secret, PASSWORD, code,
                                            ports=ports)  # fmt: skip
        with pytest.raises(Conflict):
            await accounts.enable_second_factor(me.session, me.token, secret, PASSWORD, code,
                                                ports=ports)  # fmt: skip


class TestDisable:
    async def test_the_password_and_a_current_code_switch_it_off(self, world: World) -> None:
        store, audit, clock = world
        ports = account_ports(*world)
        me, other = await _signed_in(ports, times=2)
        secret = CODES.new_secret()
        await store.set_second_factor(me.session.user_id, secret)
        with pytest.raises(InvalidCredentials):
            await accounts.disable_second_factor(me.session, me.token, PASSWORD, "000000",
                                                 ports=ports)  # fmt: skip
        assert store.users[me.session.user_id].totp_secret == secret
        code = CODES.code(secret, clock.now())
        assert await accounts.disable_second_factor(me.session, me.token, PASSWORD, code,
                                                    ports=ports) == 1  # fmt: skip
        assert store.users[me.session.user_id].totp_secret is None
        assert await accounts.current_session(other.token, ports=ports) is None
        assert await accounts.current_session(me.token, ports=ports) is not None
        assert audit.entries[-1].action == "portal.totp.disable"

    async def test_nothing_to_switch_off_is_a_conflict(self, world: World) -> None:
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        with pytest.raises(Conflict):
            await accounts.disable_second_factor(me.session, me.token, PASSWORD, "1",
                                                 ports=ports)  # fmt: skip

    async def test_a_deactivated_account_changes_nothing(self, world: World) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        await store.set_active(me.session.user_id, False)
        with pytest.raises(NotPermitted):
            await accounts.second_factor_on(me.session, ports=ports)
