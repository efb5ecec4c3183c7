"""An organization's admin looks after its own people: deactivates and reactivates their
accounts, resets a lost second factor, changes a role within the organization's side.

An admin never acts on their own account here (their own second factor has its own page,
behind their password and a code), and an organization always keeps an active admin, so
that no organization locks itself out. Another organization's account is not found.
"""

from __future__ import annotations

from domain.accounts import Action, StaffRole, StaffSession, StaffUser
from domain.errors import Conflict, InvalidRequest, NotFound
from domain.records import AuditEntry
from domain.services.accounts import AccountPorts, require, role_of


class OwnAccount(InvalidRequest):
    """An admin acting on their own account where only a colleague's may be."""


class LastAdmin(Conflict):
    """The change would leave the organization without an active admin."""


async def set_colleague_active(
    session: StaffSession, user_id: str, active: bool, *, ports: AccountPorts
) -> StaffUser:
    """Deactivate a colleague (their sessions end at once, they cannot sign in) or let
    them sign in again."""
    user = await _colleague(session, user_id, ports)
    if not active and user.role is StaffRole.ADMIN:
        _kept_an_admin(await ports.accounts.step_down(user.id, session.org, active=False))
    else:
        await ports.accounts.set_active(user.id, active)
    closed = 0 if active else await ports.sessions.close_all(user.id)
    action = "portal.user-reactivate" if active else "portal.user-deactivate"
    await _audit(session, user, action, f"{closed} sessions fermées", ports)
    return user


async def reset_colleague_second_factor(
    session: StaffSession, user_id: str, *, ports: AccountPorts
) -> StaffUser:
    """Switch a colleague's second factor off (a lost phone): they sign in with their
    password and enrol again; their sessions end, a lost phone may hold one."""
    user = await _colleague(session, user_id, ports)
    await ports.accounts.set_second_factor(user.id, None)
    closed = await ports.sessions.close_all(user.id)
    await _audit(session, user, "portal.user-totp-reset", f"{closed} sessions fermées", ports)
    return user


async def change_colleague_role(
    session: StaffSession, user_id: str, role: str, *, ports: AccountPorts
) -> StaffUser:
    """Give a colleague another role of the organization's side; their sessions end, as
    they carry the role they were opened with."""
    user = await _colleague(session, user_id, ports)
    new = role_of(session.side, role)
    if new is user.role:
        return user
    if user.role is StaffRole.ADMIN:
        _kept_an_admin(await ports.accounts.step_down(user.id, session.org, role=new))
    else:
        await ports.accounts.set_role(user.id, new)
    closed = await ports.sessions.close_all(user.id)
    detail = f"rôle {user.role.value} -> {new.value}, {closed} sessions fermées"
    await _audit(session, user, "portal.user-role", detail, ports)
    return user


async def _colleague(session: StaffSession, user_id: str, ports: AccountPorts) -> StaffUser:
    require(session, Action.MANAGE_USERS)
    user = await ports.accounts.by_id(user_id)
    if user is None or user.org != session.org or user.side is not session.side:
        raise NotFound("Compte introuvable pour votre organisation")
    if user.id == session.user_id:
        raise OwnAccount("Vous ne pouvez pas modifier ainsi votre propre compte")
    return user


def _kept_an_admin(stepped_down: bool) -> None:
    """Refused when no other active admin would remain (the acting one may have just been
    deactivated by a colleague)."""
    if not stepped_down:
        raise LastAdmin("L'organisation doit garder un administrateur actif")


async def _audit(
    session: StaffSession, user: StaffUser, action: str, detail: str, ports: AccountPorts
) -> None:
    entry = AuditEntry(
        at=ports.clock.now(), action=action, outcome=200, tenant=session.org,
        client_id=f"staff:{session.user_id}", resource=f"StaffUser/{user.id}", detail=detail,
    )  # fmt: skip
    await ports.audit.append(entry)
