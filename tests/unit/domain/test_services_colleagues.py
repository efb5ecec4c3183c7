"""An organization's admin looks after its own people, never itself nor another's."""

from __future__ import annotations

import pytest

from domain.accounts import InvalidCredentials, NotPermitted, StaffRole
from domain.errors import InvalidRequest, NotFound
from domain.records import AuditEntry
from domain.services import accounts, colleagues
from domain.services.accounts import AddUser, LogIn, Opened
from domain.services.colleagues import LastAdmin, OwnAccount
from tests.account_fakes import OTHER, PHARMACY, FakeAccounts, ListAudit, account_ports
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"
World = tuple[FakeAccounts, ListAudit, FakeClock]


@pytest.fixture
def world() -> World:
    """Two pharmacies and the payers."""
    return FakeAccounts({PHARMACY.id: PHARMACY, OTHER.id: OTHER}), ListAudit(), FakeClock()


async def _person(
    ports: accounts.AccountPorts, email: str, role: str, org: str = PHARMACY.id
) -> Opened:
    await accounts.add_user(AddUser(org, email, role, PASSWORD), ports=ports)
    return await accounts.log_in(LogIn(email, PASSWORD, "1"), ports=ports)


class TestDeactivate:
    async def test_a_deactivated_colleague_is_signed_out_and_cannot_sign_in(
        self, world: World
    ) -> None:
        _, audit, _ = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        desk = await _person(ports, "desk@atlas.ma", "desk")
        await colleagues.set_colleague_active(admin.session, desk.session.user_id, False,
                                              ports=ports)  # fmt: skip
        entry = audit.entries[-1]
        assert (entry.action, entry.client_id, entry.resource) == (
            "portal.user-deactivate", f"staff:{admin.session.user_id}",
            f"StaffUser/{desk.session.user_id}",
        )  # fmt: skip
        assert await accounts.current_session(desk.token, ports=ports) is None
        with pytest.raises(InvalidCredentials):
            await accounts.log_in(LogIn("desk@atlas.ma", PASSWORD, "1"), ports=ports)
        await colleagues.set_colleague_active(admin.session, desk.session.user_id, True,
                                              ports=ports)  # fmt: skip
        assert await accounts.log_in(LogIn("desk@atlas.ma", PASSWORD, "1"), ports=ports)
        assert audit.entries[-2].action == "portal.user-reactivate"

    async def test_an_admin_cannot_deactivate_itself(self, world: World) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        with pytest.raises(OwnAccount):
            await colleagues.set_colleague_active(admin.session, admin.session.user_id, False,
                                                  ports=ports)  # fmt: skip
        assert store.users[admin.session.user_id].active

    async def test_another_organization_s_account_is_not_found(self, world: World) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        theirs = await _person(ports, "x@other.ma", "desk", org=OTHER.id)
        with pytest.raises(NotFound):
            await colleagues.set_colleague_active(admin.session, theirs.session.user_id, False,
                                                  ports=ports)  # fmt: skip
        assert store.users[theirs.session.user_id].active

    async def test_a_desk_clerk_manages_no_one(self, world: World) -> None:
        ports = account_ports(*world)
        desk = await _person(ports, "desk@atlas.ma", "desk")
        other = await _person(ports, "other@atlas.ma", "desk")
        with pytest.raises(NotPermitted):
            await colleagues.set_colleague_active(desk.session, other.session.user_id, False,
                                                  ports=ports)  # fmt: skip


class TestLastAdmin:
    async def test_the_organization_keeps_an_active_admin(self, world: World) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        first = await _person(ports, "one@atlas.ma", "admin")
        second = await _person(ports, "two@atlas.ma", "admin")
        # Each demotes the other at once: the second's session predates its demotion.
        await colleagues.change_colleague_role(first.session, second.session.user_id, "desk",
                                               ports=ports)  # fmt: skip
        with pytest.raises(LastAdmin):
            await colleagues.change_colleague_role(second.session, first.session.user_id,
                                                   "desk", ports=ports)  # fmt: skip
        with pytest.raises(LastAdmin):
            await colleagues.set_colleague_active(second.session, first.session.user_id,
                                                  False, ports=ports)  # fmt: skip
        assert store.users[first.session.user_id].active
        assert store.users[first.session.user_id].role is StaffRole.ADMIN

    async def test_one_of_two_admins_steps_down_exactly_as_asked(self, world: World) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        first = await _person(ports, "one@atlas.ma", "admin")
        second = await _person(ports, "two@atlas.ma", "admin")
        third = await _person(ports, "three@atlas.ma", "admin")
        await colleagues.change_colleague_role(first.session, second.session.user_id,
                                               "accountant", ports=ports)  # fmt: skip
        demoted = store.users[second.session.user_id]
        assert (demoted.role, demoted.active) == (StaffRole.ACCOUNTANT, True)
        await colleagues.set_colleague_active(first.session, third.session.user_id, False,
                                              ports=ports)  # fmt: skip
        gone = store.users[third.session.user_id]
        assert (gone.role, gone.active) == (StaffRole.ADMIN, False)
        assert await accounts.current_session(third.token, ports=ports) is None

    async def test_an_admin_cannot_demote_itself(self, world: World) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        await _person(ports, "two@atlas.ma", "admin")
        with pytest.raises(OwnAccount):
            await colleagues.change_colleague_role(admin.session, admin.session.user_id,
                                                   "desk", ports=ports)  # fmt: skip
        assert store.users[admin.session.user_id].role is StaffRole.ADMIN


class TestRole:
    async def test_a_new_role_ends_the_colleague_s_sessions(self, world: World) -> None:
        store, audit, _ = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        desk = await _person(ports, "desk@atlas.ma", "desk")
        await colleagues.change_colleague_role(admin.session, desk.session.user_id,
                                               "pharmacist", ports=ports)  # fmt: skip
        assert store.users[desk.session.user_id].role is StaffRole.PHARMACIST
        assert await accounts.current_session(desk.token, ports=ports) is None
        assert audit.entries[-1].detail.startswith("rôle desk -> pharmacist")

    async def test_a_role_of_the_payers_is_refused(self, world: World) -> None:
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        desk = await _person(ports, "desk@atlas.ma", "desk")
        with pytest.raises(InvalidRequest, match="Rôle"):
            await colleagues.change_colleague_role(admin.session, desk.session.user_id,
                                                   "reviewer", ports=ports)  # fmt: skip


class TestResetSecondFactor:
    async def test_a_lost_phone_s_factor_is_switched_off_and_sessions_end(
        self, world: World
    ) -> None:
        store, audit, _ = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        desk = await _person(ports, "desk@atlas.ma", "desk")
        await store.set_second_factor(desk.session.user_id, "JBSWY3DPEHPK3PXPJBSWY3DPEH")
        await colleagues.reset_colleague_second_factor(admin.session, desk.session.user_id,
                                                       ports=ports)  # fmt: skip
        assert store.users[desk.session.user_id].totp_secret is None
        assert await accounts.current_session(desk.token, ports=ports) is None
        assert audit.entries[-1].action == "portal.user-totp-reset"
        assert await accounts.log_in(LogIn("desk@atlas.ma", PASSWORD, "1"), ports=ports)


def _entry(clock: FakeClock, admin: Opened, colleague: Opened, action: str, detail: str):
    return AuditEntry(
        clock.now(), action, 200, PHARMACY.id, f"staff:{admin.session.user_id}",
        f"StaffUser/{colleague.session.user_id}", detail,
    )  # fmt: skip


class TestAudited:
    async def test_deactivating_tells_how_many_sessions_ended(self, world: World) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        desk = await _person(ports, "desk@atlas.ma", "desk")
        await colleagues.set_colleague_active(admin.session, desk.session.user_id, False,
                                              ports=ports)  # fmt: skip
        assert audit.entries[-1] == _entry(
            clock, admin, desk, "portal.user-deactivate", "1 sessions fermées"
        )

    async def test_reactivating_an_active_colleague_keeps_their_sessions(
        self, world: World
    ) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        desk = await _person(ports, "desk@atlas.ma", "desk")
        await colleagues.set_colleague_active(admin.session, desk.session.user_id, True,
                                              ports=ports)  # fmt: skip
        assert await accounts.current_session(desk.token, ports=ports) == desk.session
        assert audit.entries[-1] == _entry(
            clock, admin, desk, "portal.user-reactivate", "0 sessions fermées"
        )

    async def test_an_admin_comes_back_even_with_no_other_admin_active(self, world: World) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        other = await _person(ports, "other@atlas.ma", "admin")
        await store.set_active(other.session.user_id, False)
        await store.set_active(admin.session.user_id, False)  # e.g. from the command line
        await colleagues.set_colleague_active(admin.session, other.session.user_id, True,
                                              ports=ports)  # fmt: skip
        assert store.users[other.session.user_id].active

    async def test_a_second_factor_reset_tells_how_many_sessions_ended(self, world: World) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        desk = await _person(ports, "desk@atlas.ma", "desk")
        await colleagues.reset_colleague_second_factor(admin.session, desk.session.user_id,
                                                       ports=ports)  # fmt: skip
        assert audit.entries[-1] == _entry(
            clock, admin, desk, "portal.user-totp-reset", "1 sessions fermées"
        )

    async def test_a_role_change_names_both_roles(self, world: World) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        desk = await _person(ports, "desk@atlas.ma", "desk")
        await colleagues.change_colleague_role(admin.session, desk.session.user_id,
                                               "accountant", ports=ports)  # fmt: skip
        assert audit.entries[-1] == _entry(
            clock, admin, desk, "portal.user-role", "rôle desk -> accountant, 1 sessions fermées"
        )


class TestInWords:
    async def test_another_organization_s_account(self, world: World) -> None:
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        theirs = await _person(ports, "x@other.ma", "desk", org=OTHER.id)
        with pytest.raises(NotFound, match=r"^Compte introuvable pour votre organisation$"):
            await colleagues.reset_colleague_second_factor(admin.session, theirs.session.user_id,
                                                           ports=ports)  # fmt: skip

    async def test_one_s_own_account(self, world: World) -> None:
        ports = account_ports(*world)
        admin = await _person(ports, "admin@atlas.ma", "admin")
        with pytest.raises(
            OwnAccount, match=r"^Vous ne pouvez pas modifier ainsi votre propre compte$"
        ):
            await colleagues.reset_colleague_second_factor(admin.session, admin.session.user_id,
                                                           ports=ports)  # fmt: skip

    async def test_the_last_admin(self, world: World) -> None:
        ports = account_ports(*world)
        first = await _person(ports, "one@atlas.ma", "admin")
        second = await _person(ports, "two@atlas.ma", "admin")
        await colleagues.set_colleague_active(first.session, second.session.user_id, False,
                                              ports=ports)  # fmt: skip
        with pytest.raises(
            LastAdmin, match=r"^L'organisation doit garder un administrateur actif$"
        ):
            await colleagues.set_colleague_active(second.session, first.session.user_id, False,
                                                  ports=ports)  # fmt: skip
