"""Signing in on the word of a payer's identity provider (single sign-on).

The provider has checked the person (password, second factor: its own policy); the gateway
checks what is its own to decide: the account exists, belongs to the payer whose provider
vouches, is active and not locked. An account is never created here: the organization's
admin gives accounts and roles, the provider only says who is at the keyboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.accounts import InvalidCredentials, Side, normal_email
from domain.services.accounts import (
    AccountPorts,
    Opened,
    audit_account,
    open_session,
    refuse_locked,
    throttle_attempt,
)

ACTION = "portal.login.sso"


@dataclass(frozen=True, slots=True)
class VouchedLogIn:
    """Command: sign in the person a payer's identity provider vouches for."""

    payer: str  # whose provider it is
    email: str
    email_verified: bool  # as the provider says: an unverified address names nobody
    address: str  # the client's IP address, for throttling
    replacing: str = ""  # the session id the browser held, ended once signed in


async def log_in_vouched(cmd: VouchedLogIn, *, ports: AccountPorts) -> Opened:
    """Open a session for the payer's own person; anyone else is refused like a wrong
    password (the answer does not tell whether the address has an account)."""
    await throttle_attempt(f"login-ip:{cmd.address}", ports.per_address, None, ports, ACTION)
    user = await ports.accounts.by_email(normal_email(cmd.email))
    known = (
        user is not None
        and cmd.email_verified
        and user.active
        and user.side is Side.PAYER
        and user.org == cmd.payer
    )
    if not known:
        detail = f"connexion {cmd.payer} refusée"
        await audit_account(ports, ACTION, 401, user if user and user.org == cmd.payer else None,
                            detail=detail)  # fmt: skip
        raise InvalidCredentials("Identifiants incorrects")
    assert user is not None
    now = ports.clock.now()
    if user.locked_until is not None and user.locked_until > now:
        await refuse_locked(user, (user.locked_until - now).total_seconds(), ports, ACTION)
    return await open_session(user, cmd.replacing, ACTION, ports=ports)
