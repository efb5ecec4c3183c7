"""A person's own second factor: switched on with their password and a code of the secret
offered, off with their password and a current code; guesses count as failed sign-ins."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.passwords import TotpCodes
from domain.accounts import InvalidCredentials, NotPermitted
from domain.errors import Conflict, InvalidRequest, RateLimited
from domain.records import AuditEntry
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


def _entry(clock: FakeClock, me: Opened, action: str, outcome: int, detail: str) -> AuditEntry:
    return AuditEntry(clock.now(), action, outcome, PHARMACY.id, f"staff:{me.session.user_id}",
                      None, detail)  # fmt: skip


class TestAudited:
    async def test_switching_on_is_audited_with_the_sessions_closed(self, world: World) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        me, _ = await _signed_in(ports, times=2)
        secret = accounts.enrolment(me.session, ports=ports).secret
        code = CODES.code(secret, clock.now())
        await accounts.enable_second_factor(me.session, me.token, secret, PASSWORD, code,
                                            ports=ports)  # fmt: skip
        assert audit.entries[-1] == _entry(
            clock, me, "portal.totp.enable", 200, "1 autres sessions fermées"
        )

    async def test_a_wrong_code_is_audited_under_the_account(self, world: World) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        secret = accounts.enrolment(me.session, ports=ports).secret
        with pytest.raises(InvalidCredentials, match=r"^Mot de passe ou code incorrect$"):
            await accounts.enable_second_factor(me.session, me.token, secret, PASSWORD, "000000",
                                                ports=ports)  # fmt: skip
        assert audit.entries[-1] == _entry(
            clock, me, "portal.totp.enable", 401, "identifiants refusés"
        )

    async def test_a_wrong_code_to_switch_off_is_audited_as_such(self, world: World) -> None:
        store, audit, clock = world
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        await store.set_second_factor(me.session.user_id, CODES.new_secret())
        with pytest.raises(InvalidCredentials):
            await accounts.disable_second_factor(me.session, me.token, PASSWORD, "000000",
                                                 ports=ports)  # fmt: skip
        assert audit.entries[-1] == _entry(
            clock, me, "portal.totp.disable", 401, "identifiants refusés"
        )

    async def test_guessing_locks_the_account_audited_under_the_form(self, world: World) -> None:
        _, audit, clock = world
        ports = account_ports(*world, attempts=1)
        (me,) = await _signed_in(ports)
        secret = accounts.enrolment(me.session, ports=ports).secret
        with pytest.raises(InvalidCredentials):
            await accounts.enable_second_factor(me.session, me.token, secret, "guess guess",
                                                "123456", ports=ports)  # fmt: skip
        with pytest.raises(RateLimited) as refused:
            await accounts.enable_second_factor(me.session, me.token, secret, "guess guess",
                                                "123456", ports=ports)  # fmt: skip
        assert refused.value.retry_after == 15 * 60
        locked = _entry(clock, me, "portal.totp.enable", 429, "compte verrouillé")
        assert audit.entries[-1] == locked
        clock.advance(timedelta(minutes=5))
        with pytest.raises(RateLimited) as again:
            await accounts.enable_second_factor(me.session, me.token, secret, PASSWORD,
                                                CODES.code(secret, clock.now()),
                                                ports=ports)  # fmt: skip
        assert again.value.retry_after == 10 * 60
        assert audit.entries[-1] == replace(locked, at=clock.now())

    async def test_a_lock_ends_at_its_instant(self, world: World) -> None:
        store, _, clock = world
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        await store.lock(me.session.user_id, clock.now() + timedelta(minutes=1))
        clock.advance(timedelta(minutes=1))
        secret = accounts.enrolment(me.session, ports=ports).secret
        code = CODES.code(secret, clock.now())
        assert (
            await accounts.enable_second_factor(
                me.session, me.token, secret, PASSWORD, code, ports=ports
            )
            == 0
        )

    async def test_failed_sign_ins_and_failed_codes_count_together(self, world: World) -> None:
        ports = account_ports(*world, attempts=2)
        (me,) = await _signed_in(ports)
        with pytest.raises(InvalidCredentials):
            await accounts.log_in(LogIn("a@atlas.ma", "guess guess", "1"), ports=ports)
        secret = accounts.enrolment(me.session, ports=ports).secret
        with pytest.raises(InvalidCredentials):
            await accounts.enable_second_factor(me.session, me.token, secret, "guess guess",
                                                "123456", ports=ports)  # fmt: skip
        with pytest.raises(RateLimited):
            await accounts.enable_second_factor(me.session, me.token, secret, "guess guess",
                                                "123456", ports=ports)  # fmt: skip


class TestInWords:
    async def test_a_secret_typed_in_groups_and_lower_case_is_read(self, world: World) -> None:
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        offered = accounts.enrolment(me.session, "jbsw y3dp ehpk 3pxp jbsw y3dp eh", ports=ports)
        assert offered.secret == "JBSWY3DPEHPK3PXPJBSWY3DPEH"
        assert offered.uri == CODES.enrolment_uri(offered.secret, "a@atlas.ma")

    async def test_an_unreadable_secret(self, world: World) -> None:
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        with pytest.raises(InvalidRequest, match=r"^Clé du second facteur illisible$"):
            accounts.enrolment(me.session, "JBSWY3DP", ports=ports)

    async def test_switched_on_twice_or_off_without_one(self, world: World) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        with pytest.raises(Conflict, match=r"^Le second facteur n'est pas activé$"):
            await accounts.disable_second_factor(me.session, me.token, PASSWORD, "1", ports=ports)
        await store.set_second_factor(me.session.user_id, CODES.new_secret())
        with pytest.raises(Conflict, match=r"^Le second facteur est déjà activé$"):
            await accounts.enable_second_factor(me.session, me.token, CODES.new_secret(),
                                                PASSWORD, "1", ports=ports)  # fmt: skip

    async def test_a_deactivated_account(self, world: World) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        (me,) = await _signed_in(ports)
        await store.set_active(me.session.user_id, False)
        with pytest.raises(NotPermitted, match=r"^Compte désactivé$"):
            await accounts.second_factor_on(me.session, ports=ports)
