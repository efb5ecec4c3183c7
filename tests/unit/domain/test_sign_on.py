"""Signing in on the word of a payer's identity provider: only that payer's own active,
unlocked person with a verified address; refusals audited and worded like a wrong password."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.accounts import InvalidCredentials
from domain.errors import RateLimited
from domain.records import AuditEntry
from domain.services import accounts
from domain.services.accounts import AddUser
from domain.services.sign_on import ACTION, VouchedLogIn, log_in_vouched
from tests.account_fakes import PHARMACY, FakeAccounts, ListAudit, account_ports
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"


@pytest.fixture
def world() -> tuple[FakeAccounts, ListAudit, FakeClock]:
    return FakeAccounts({PHARMACY.id: PHARMACY}), ListAudit(), FakeClock()


async def _people(ports: accounts.AccountPorts) -> dict[str, str]:
    made = {}
    for name, org, role in (("cnss", "CNSS", "reviewer"), ("cnops", "CNOPS", "reviewer"),
                            ("pharmacy", PHARMACY.id, "pharmacist")):  # fmt: skip
        user = await accounts.add_user(AddUser(org, f"{name}@x.ma", role, PASSWORD), ports=ports)
        made[name] = user.id
    return made


def _vouched(email: str, *, verified: bool = True, payer: str = "CNSS") -> VouchedLogIn:
    return VouchedLogIn(payer, email, verified, "10.0.0.1")


class TestVouched:
    async def test_the_payers_person_gets_a_session(self, world) -> None:
        store, audit, _ = world
        ports = account_ports(*world)
        ids = await _people(ports)
        opened = await log_in_vouched(_vouched(" CNSS@X.ma "), ports=ports)
        assert opened.session.user_id == ids["cnss"] and opened.session.org == "CNSS"
        assert accounts.session_key(opened.token) in store.sessions
        assert (audit.entries[-1].action, audit.entries[-1].outcome) == (ACTION, 200)

    async def test_the_session_the_browser_held_ends(self, world) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        await _people(ports)
        first = await log_in_vouched(_vouched("cnss@x.ma"), ports=ports)
        cmd = replace(_vouched("cnss@x.ma"), replacing=first.token)
        second = await log_in_vouched(cmd, ports=ports)
        assert accounts.session_key(first.token) not in store.sessions
        assert accounts.session_key(second.token) in store.sessions

    @pytest.mark.parametrize(
        ("email", "verified", "payer"),
        [("cnops@x.ma", True, "CNSS"), ("pharmacy@x.ma", True, "CNSS"),
         ("nobody@x.ma", True, "CNSS"), ("cnss@x.ma", False, "CNSS"), ("cnss@x.ma", True, "CNOPS"),
         ("pharmacy@x.ma", True, PHARMACY.id)],
        ids=["another-payer", "a-provider", "unknown", "unverified", "other-provider-vouching",
             "provider-org-named-as-payer"],
    )  # fmt: skip
    async def test_anyone_else_is_refused_and_audited(self, world, email, verified, payer) -> None:
        store, audit, _ = world
        ports = account_ports(*world)
        await _people(ports)
        with pytest.raises(InvalidCredentials):
            await log_in_vouched(_vouched(email, verified=verified, payer=payer), ports=ports)
        assert store.sessions == {}
        assert (audit.entries[-1].action, audit.entries[-1].outcome) == (ACTION, 401)

    async def test_an_inactive_account_is_refused(self, world) -> None:
        store, _, _ = world
        ports = account_ports(*world)
        ids = await _people(ports)
        store.users[ids["cnss"]] = replace(store.users[ids["cnss"]], active=False)
        with pytest.raises(InvalidCredentials):
            await log_in_vouched(_vouched("cnss@x.ma"), ports=ports)

    async def test_a_locked_account_waits_like_with_a_password(self, world) -> None:
        store, audit, clock = world
        ports = account_ports(*world)
        ids = await _people(ports)
        await store.lock(ids["cnss"], clock.now() + timedelta(minutes=10))
        with pytest.raises(RateLimited) as refused:
            await log_in_vouched(_vouched("cnss@x.ma"), ports=ports)
        assert refused.value.retry_after == pytest.approx(600)
        assert store.sessions == {} and audit.entries[-1].outcome == 429
        clock.advance(timedelta(minutes=10, seconds=1))
        assert (await log_in_vouched(_vouched("cnss@x.ma"), ports=ports)).session.org == "CNSS"

    async def test_attempts_count_against_the_address(self, world) -> None:
        ports = replace(
            account_ports(*world), per_address=account_ports(*world, attempts=2).per_account
        )
        await _people(ports)
        for _ in range(2):
            await log_in_vouched(_vouched("cnss@x.ma"), ports=ports)
        with pytest.raises(RateLimited):
            await log_in_vouched(_vouched("cnss@x.ma"), ports=ports)
        _, audit, _ = world
        slowed = audit.entries[-1]
        assert (slowed.action, slowed.outcome, slowed.detail) == (
            ACTION,
            429,
            "connexion freinée (adresse)",
        )


class TestVouchedAudited:
    @pytest.mark.parametrize(
        ("email", "verified", "payer", "whose"),
        [("cnops@x.ma", True, "CNSS", None), ("nobody@x.ma", True, "CNSS", None),
         ("cnss@x.ma", True, "CNOPS", None), ("cnss@x.ma", False, "CNSS", "cnss"),
         ("pharmacy@x.ma", True, PHARMACY.id, "pharmacy")],
        ids=["another-payer", "unknown", "other-provider-vouching", "unverified",
             "provider-org-named-as-payer"],
    )  # fmt: skip
    async def test_a_refusal_names_the_account_only_of_the_payer_vouching(
        self, world, email, verified, payer, whose
    ) -> None:
        _, audit, clock = world
        ports = account_ports(*world)
        ids = await _people(ports)
        with pytest.raises(InvalidCredentials, match=r"^Identifiants incorrects$"):
            await log_in_vouched(_vouched(email, verified=verified, payer=payer), ports=ports)
        client = None if whose is None else f"staff:{ids[whose]}"
        tenant = None if whose is None else payer
        assert audit.entries[-1] == AuditEntry(
            clock.now(), ACTION, 401, tenant, client, None, f"connexion {payer} refusée"
        )

    async def test_a_lock_ends_at_its_instant_and_is_audited_under_the_account(self, world) -> None:
        store, audit, clock = world
        ports = account_ports(*world)
        ids = await _people(ports)
        await store.lock(ids["cnss"], clock.now() + timedelta(minutes=10))
        with pytest.raises(RateLimited):
            await log_in_vouched(_vouched("cnss@x.ma"), ports=ports)
        entry = audit.entries[-1]
        assert (entry.action, entry.outcome, entry.tenant, entry.client_id, entry.detail) == (
            ACTION, 429, "CNSS", f"staff:{ids['cnss']}", "compte verrouillé",
        )  # fmt: skip
        clock.advance(timedelta(minutes=10))
        assert (await log_in_vouched(_vouched("cnss@x.ma"), ports=ports)).session.org == "CNSS"

    async def test_another_address_is_not_slowed_down(self, world) -> None:
        limited = account_ports(*world, attempts=1).per_account
        ports = replace(account_ports(*world), per_address=limited)
        await _people(ports)
        await log_in_vouched(_vouched("cnss@x.ma"), ports=ports)
        other = replace(_vouched("cnss@x.ma"), address="10.0.0.2")
        assert (await log_in_vouched(other, ports=ports)).session.org == "CNSS"
