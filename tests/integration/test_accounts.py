"""Staff accounts and sessions in SQL (SQLite and PostgreSQL): what the portal relies on."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from adapters.crypto import FieldCipher
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.accounts import USER, SqlAccountStore, forget_expired_sessions
from adapters.sql.rotation import rotate_keys
from domain.accounts import AccountExists, Side, StaffRole, StaffSession, StaffUser
from tests.integration.builders import provider

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(uow_factory: SqlUnitOfWorkFactory, cipher: FieldCipher) -> SqlAccountStore:
    """The store over a migrated, empty database with one pharmacy."""
    with uow_factory() as uow:
        uow.providers.add(provider())
        uow.commit()
    return SqlAccountStore(uow_factory, cipher=cipher, deadline=5)


def user(email: str = "a@atlas.ma", totp: str | None = None, org: str = "P-1") -> StaffUser:
    """A pharmacist of the pharmacy."""
    return StaffUser(
        id=email.split("@")[0], org=org, side=Side.PROVIDER, email=email,
        role=StaffRole.PHARMACIST, password_hash="$argon2id$v=19$m=1024,t=1,p=4$c2FsdA$aGFzaA",
        created=NOW, totp_secret=totp,
    )  # fmt: skip


def session(user_id: str, hours: float = 8) -> StaffSession:
    """A session of that person, opened now."""
    return StaffSession(user_id, "P-1", Side.PROVIDER, StaffRole.PHARMACIST, "a@atlas.ma", NOW,
                        NOW + timedelta(hours=hours))  # fmt: skip


class TestAccounts:
    async def test_an_account_is_read_back_with_its_second_factor_decrypted(
        self, store: SqlAccountStore, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        await store.add(user(totp="JBSWY3DPEHPK3PXP"))
        assert await store.by_email("a@atlas.ma") == user(totp="JBSWY3DPEHPK3PXP")
        with uow_factory() as uow:
            stored = uow.session.execute(select(USER.c.totp_enc)).scalar_one()
        assert b"JBSWY3DPEHPK3PXP" not in stored  # encrypted at rest

    async def test_an_email_is_taken_once(self, store: SqlAccountStore) -> None:
        await store.add(user())
        with pytest.raises(AccountExists):
            await store.add(user(org="CNSS"))

    async def test_the_organization_is_the_provider_with_its_admission(
        self, store: SqlAccountStore
    ) -> None:
        org = await store.organization("P-1")
        assert org is not None and org.side is Side.PROVIDER and org.inpe == "000001"
        assert org.admission is not None and org.admission.payers == ("CNSS", "CNOPS")
        assert (await store.organization("CNSS")).side is Side.PAYER  # type: ignore[union-attr]
        assert await store.organization("P-404") is None

    async def test_a_lock_is_kept_until_its_end(self, store: SqlAccountStore) -> None:
        await store.add(user())
        await store.lock("a", NOW + timedelta(minutes=15))
        found = await store.by_email("a@atlas.ma")
        assert found is not None and found.locked_until == NOW + timedelta(minutes=15)


class TestChanges:
    async def test_a_second_factor_is_kept_encrypted_then_cleared(
        self, store: SqlAccountStore, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        await store.add(user())
        await store.set_second_factor("a", "JBSWY3DPEHPK3PXPJBSWY3DPEH")
        found = await store.by_id("a")
        assert found is not None and found.totp_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEH"
        with uow_factory() as uow:
            row = uow.session.execute(select(USER.c.key_id, USER.c.totp_enc)).one()
        assert row.key_id == "k1" and b"JBSWY3DP" not in row.totp_enc
        await store.set_second_factor("a", None)
        assert (await store.by_id("a")).totp_secret is None  # type: ignore[union-attr]

    async def test_an_account_is_deactivated_and_given_another_role(
        self, store: SqlAccountStore
    ) -> None:
        await store.add(user())
        await store.set_active("a", False)
        await store.set_role("a", StaffRole.ADMIN)
        found = await store.by_id("a")
        assert found is not None and not found.active and found.role is StaffRole.ADMIN
        assert await store.by_id("nobody") is None


class TestRotation:
    async def test_keys_rotate_re_encrypts_second_factors_and_resumes(
        self,
        store: SqlAccountStore,
        uow_factory: SqlUnitOfWorkFactory,
        engine: Engine,
        keyring: dict[str, bytes],
    ) -> None:
        for name in ("a", "b", "c"):
            await store.add(user(f"{name}@atlas.ma", totp=f"JBSWY3DPEHPK3PXP{name.upper()}"))
        await store.add(user("none@atlas.ma"))  # no second factor: nothing to re-encrypt
        k2 = FieldCipher(keyring, "k2")
        first = rotate_keys(engine, k2, batch=2)
        assert first.totp_secrets == 3
        assert rotate_keys(engine, k2).totp_secrets == 0  # a second run: nothing left
        with engine.connect() as connection:
            rows = connection.execute(select(USER.c.key_id, USER.c.totp_enc)).all()
        assert sorted(str(r.key_id) for r in rows) == ["None", "k2", "k2", "k2"]
        only_k2 = {"k2": keyring["k2"]}
        after = SqlAccountStore(uow_factory, cipher=FieldCipher(only_k2, "k2"), deadline=5)
        found = await after.by_email("b@atlas.ma")
        assert found is not None and found.totp_secret == "JBSWY3DPEHPK3PXPB"


class TestSessions:
    async def test_a_session_is_found_by_its_key_until_closed(self, store: SqlAccountStore):
        await store.open("k1", session("a"))
        assert await store.find("k1") == session("a")
        await store.close("k1")
        assert await store.find("k1") is None

    async def test_closing_all_ends_only_that_person_s_sessions(self, store: SqlAccountStore):
        for key, who in (("k1", "a"), ("k2", "a"), ("k3", "b")):
            await store.open(key, session(who))
        assert await store.close_all("a") == 2
        assert await store.find("k2") is None and await store.find("k3") is not None

    async def test_closing_all_but_one_keeps_that_one(self, store: SqlAccountStore) -> None:
        for key in ("k1", "k2", "k3"):
            await store.open(key, session("a"))
        assert await store.close_all("a", keep="k2") == 2
        assert await store.find("k2") is not None and await store.find("k1") is None

    async def test_expired_sessions_are_forgotten(
        self, store: SqlAccountStore, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        await store.open("old", session("a", hours=1))
        await store.open("new", session("a", hours=8))
        assert forget_expired_sessions(uow_factory, NOW + timedelta(hours=2)) == 1
        assert await store.find("new") is not None
        assert await store.find("old") is None


def admin(name: str, org: str) -> StaffUser:
    """An admin of that organization."""
    return replace(user(f"{name}@{org.lower()}.ma", org=org), id=name, role=StaffRole.ADMIN)


class TestStepDown:
    async def test_the_last_active_admin_stays_one(self, store: SqlAccountStore) -> None:
        await store.add(admin("first", "P-1"))
        await store.add(user("b@atlas.ma"))  # a pharmacist is no admin
        assert await store.step_down("first", "P-1", active=False) is False
        assert await store.step_down("first", "P-1", role=StaffRole.PHARMACIST) is False
        kept = await store.by_id("first")
        assert kept is not None and kept.active and kept.role is StaffRole.ADMIN
        await store.add(admin("second", "P-1"))
        assert await store.step_down("first", "P-1", active=False) is True
        gone = await store.by_id("first")
        assert gone is not None and not gone.active and gone.role is StaffRole.ADMIN
        assert await store.step_down("second", "P-1", role=StaffRole.ACCOUNTANT) is False

    async def test_two_admins_stepping_each_other_down_at_once_leave_one(
        self, store: SqlAccountStore
    ) -> None:
        for round_ in range(12):
            org = f"ORG-{round_}"
            await store.add(admin(f"x{round_}", org))
            await store.add(admin(f"y{round_}", org))
            outcomes = await asyncio.gather(
                store.step_down(f"x{round_}", org, active=False),
                store.step_down(f"y{round_}", org, role=StaffRole.ACCOUNTANT),
            )
            assert sorted(outcomes) == [False, True], round_
            left = [u for u in await store.of_org(org) if u.active and u.role is StaffRole.ADMIN]
            assert len(left) == 1, round_
