"""People's accounts: sign in (throttled, audited), sessions, sign out, add a person, and
the person's own second factor (TOTP) switched on and off.

A session's id is a random token handed to the browser once; the store keeps only its
SHA-256, so that a copy of the table opens no session. Signing in always opens a new session
(the id a browser held before is never promoted: no fixation).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from domain.account_ports import AccountStore, PasswordHasher, SecondFactor, SessionStore
from domain.accounts import (
    MIN_PASSWORD_LENGTH,
    ROLES,
    AccountExists,
    Action,
    InvalidCredentials,
    NotPermitted,
    Side,
    StaffRole,
    StaffSession,
    StaffUser,
    normal_email,
    valid_email,
)
from domain.errors import Conflict, InvalidRequest, RateLimited
from domain.ports import AuditTrail, Clock, RateLimiter
from domain.records import AuditEntry


@dataclass(frozen=True, slots=True)
class AccountPorts:
    """What the accounts' use cases need; the composition root builds them once."""

    accounts: AccountStore
    sessions: SessionStore
    hasher: PasswordHasher
    second_factor: SecondFactor
    per_account: RateLimiter  # failed sign-ins per account: past its burst, a lockout
    per_address: RateLimiter  # sign-in attempts per client IP address, failed or not
    audit: AuditTrail
    clock: Clock
    new_token: Callable[[], str]  # a random session id, URL-safe
    new_id: Callable[[], str]
    session_hours: float = 8.0  # a working day; signing out ends it sooner
    # An account whose failures outrun its limit is locked this long (OWASP's usual 15 min):
    # guessing stops, while its owner, told why, waits a coffee break at most.
    lockout_minutes: float = 15.0


@dataclass(frozen=True, slots=True)
class LogIn:
    """Command: sign in with an email, a password and, when enrolled, a one-time code."""

    email: str
    password: str
    address: str  # the client's IP address, for throttling
    code: str = ""
    replacing: str = ""  # the session id the browser held, ended once signed in again


@dataclass(frozen=True, slots=True)
class AddUser:
    """Command: give a person of an organization an account with a role."""

    org: str
    email: str
    role: str
    password: str
    totp_secret: str | None = None
    actor: str = "cli"  # who gives the account: the command line, or staff:<id> of an admin


@dataclass(frozen=True, slots=True)
class Opened:
    """A session just opened: the token goes to the browser, never stored as is."""

    token: str
    session: StaffSession


def session_key(token: str) -> str:
    """What the store keeps for a session id: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


async def log_in(cmd: LogIn, *, ports: AccountPorts) -> Opened:
    """Open a session for valid credentials. Every attempt counts against the address's
    limit; an account's failures against its own, past which it is locked for a while
    (its right password included), so that guessing one account from many addresses stops."""
    await throttle_attempt(f"login-ip:{cmd.address}", ports.per_address, None, ports)
    user = await ports.accounts.by_email(normal_email(cmd.email))
    now = ports.clock.now()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        await refuse_locked(user, (user.locked_until - now).total_seconds(), ports)
    if not await _authentic(user, cmd, ports):
        await audit_account(ports, "portal.login", 401, user, detail="identifiants refusés")
        if user is not None:
            await throttle_attempt(f"login-account:{user.id}", ports.per_account, user, ports)
        raise InvalidCredentials("Identifiants incorrects")
    assert user is not None  # _authentic is False without one
    return await open_session(user, cmd.replacing, "portal.login", ports=ports)


async def open_session(
    user: StaffUser, replacing: str, action: str, *, ports: AccountPorts
) -> Opened:
    """A new session for a person whose identity was just proven; the one the browser held
    before (`replacing`) ends. Audited under `action`."""
    now = ports.clock.now()
    session = StaffSession(
        user.id, user.org, user.side, user.role, user.email, now,
        now + timedelta(hours=ports.session_hours),
    )  # fmt: skip
    token = ports.new_token()
    await ports.sessions.open(session_key(token), session)
    if replacing:
        await ports.sessions.close(session_key(replacing))
    await audit_account(ports, action, 200, user)
    return Opened(token, session)


async def current_session(token: str, *, ports: AccountPorts) -> StaffSession | None:
    """The live session behind a cookie's id; None when unknown or expired."""
    if not token:
        return None
    found = await ports.sessions.find(session_key(token))
    if found is None or found.expires <= ports.clock.now():
        return None
    return found


async def log_out(token: str, session: StaffSession, *, ports: AccountPorts) -> None:
    """End this session."""
    await ports.sessions.close(session_key(token))
    await _audit_session(ports, "portal.logout", session)


async def log_out_everywhere(session: StaffSession, *, ports: AccountPorts) -> int:
    """End every session of the person (other browsers, other devices); how many."""
    closed = await ports.sessions.close_all(session.user_id)
    await _audit_session(ports, "portal.logout-everywhere", session, detail=f"{closed} sessions")
    return closed


async def add_user(cmd: AddUser, *, ports: AccountPorts) -> StaffUser:
    """Create an account for a person of an existing organization, with a role of its side."""
    org = await ports.accounts.organization(cmd.org)
    if org is None:
        raise InvalidRequest(f"Organisation inconnue : {cmd.org}")
    role = role_of(org.side, cmd.role)
    email = normal_email(cmd.email)
    if not valid_email(email):
        raise InvalidRequest("Adresse électronique invalide")
    if len(cmd.password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequest(f"Mot de passe trop court : {MIN_PASSWORD_LENGTH} caractères au moins")
    if await ports.accounts.by_email(email) is not None:
        raise AccountExists(f"Un compte existe déjà pour {email}")
    user = StaffUser(
        id=ports.new_id(), org=org.id, side=org.side, email=email, role=role,
        password_hash=await ports.hasher.hash(cmd.password), created=ports.clock.now(),
        totp_secret=cmd.totp_secret,
    )  # fmt: skip
    await ports.accounts.add(user)
    entry = AuditEntry(
        at=ports.clock.now(), action="portal.user-add", outcome=201, tenant=org.id,
        client_id=cmd.actor, resource=f"StaffUser/{user.id}", detail=f"rôle {role.value}",
    )  # fmt: skip
    await ports.audit.append(entry)
    return user


async def add_colleague(
    session: StaffSession, email: str, role: str, password: str, *, ports: AccountPorts
) -> StaffUser:
    """An organization's admin gives one of its people an account: in its own organization
    only, with a role of its side."""
    require(session, Action.MANAGE_USERS)
    cmd = AddUser(session.org, email, role, password, actor=f"staff:{session.user_id}")
    return await add_user(cmd, ports=ports)


async def users_of(session: StaffSession, *, ports: AccountPorts) -> list[StaffUser]:
    """The accounts of the person's own organization, for its admin only."""
    require(session, Action.MANAGE_USERS)
    return await ports.accounts.of_org(session.org)


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A second factor offered to a person, not yet kept: its secret and the URI their
    authenticator app reads."""

    secret: str
    uri: str


def enrolment(session: StaffSession, secret: str = "", *, ports: AccountPorts) -> Enrolment:
    """A new secret to enrol (or the one offered before, shown again after a refusal)."""
    secret = _secret(secret) if secret else ports.second_factor.new_secret()
    return Enrolment(secret, ports.second_factor.enrolment_uri(secret, session.email))


async def second_factor_on(session: StaffSession, *, ports: AccountPorts) -> bool:
    """Whether the person's account asks for a one-time code at sign-in."""
    return (await _holder(session, ports)).totp_secret is not None


async def enable_second_factor(
    session: StaffSession, token: str, secret: str, password: str, code: str, *,
    ports: AccountPorts,
) -> int:  # fmt: skip
    """Keep the secret offered once the person proves their password and that their app
    holds it (a code of it); their other sessions are closed; how many."""
    user = await _holder(session, ports)
    if user.totp_secret is not None:
        raise Conflict("Le second facteur est déjà activé")
    secret = _secret(secret)
    await _confirm(user, password, secret, code, "portal.totp.enable", ports)
    await ports.accounts.set_second_factor(user.id, secret)
    return await _close_others(session, token, "portal.totp.enable", ports)


async def disable_second_factor(
    session: StaffSession, token: str, password: str, code: str, *, ports: AccountPorts
) -> int:
    """Stop asking for a code, once the person proves their password and a current code;
    their other sessions are closed; how many."""
    user = await _holder(session, ports)
    if user.totp_secret is None:
        raise Conflict("Le second facteur n'est pas activé")
    await _confirm(user, password, user.totp_secret, code, "portal.totp.disable", ports)
    await ports.accounts.set_second_factor(user.id, None)
    return await _close_others(session, token, "portal.totp.disable", ports)


async def _holder(session: StaffSession, ports: AccountPorts) -> StaffUser:
    user = await ports.accounts.by_id(session.user_id)
    if user is None or not user.active:
        raise NotPermitted("Compte désactivé")
    return user


def _secret(secret: str) -> str:
    found = secret.replace(" ", "").upper()
    if not _BASE32.fullmatch(found):
        raise InvalidRequest("Clé du second facteur illisible")
    return found


async def _confirm(
    user: StaffUser, password: str, secret: str, code: str, action: str, ports: AccountPorts
) -> None:
    """Refuse a wrong password or code: each failure counts against the account's sign-in
    limit, so that guessing through these forms locks the account as at sign-in."""
    now = ports.clock.now()
    if user.locked_until is not None and user.locked_until > now:
        await refuse_locked(user, (user.locked_until - now).total_seconds(), ports, action)
    right = await ports.hasher.verify(user.password_hash, password)
    if right and ports.second_factor.verify(secret, code.strip(), now):
        return
    await audit_account(ports, action, 401, user, detail="identifiants refusés")
    await throttle_attempt(f"login-account:{user.id}", ports.per_account, user, ports, action)
    raise InvalidCredentials("Mot de passe ou code incorrect")


async def _close_others(session: StaffSession, token: str, action: str, ports: AccountPorts) -> int:
    closed = await ports.sessions.close_all(session.user_id, keep=session_key(token))
    await _audit_session(ports, action, session, detail=f"{closed} autres sessions fermées")
    return closed


_BASE32 = re.compile(r"[A-Z2-7]{26,128}")  # RFC 4648 base32, 128 bits at least (RFC 4226 §4)


def require(session: StaffSession, action: Action) -> None:
    """Refuse unless the person's role allows the action."""
    if not session.may(action):
        raise NotPermitted("Votre rôle ne permet pas cette action")


def role_of(side: Side, role: str) -> StaffRole:
    """The role named, if that side has it; else refused in words."""
    try:
        found = StaffRole(role)
    except ValueError:
        # "" (a mutant's choice) is no side's role either: refused alike, untestable apart.
        found = None  # pragma: no mutate
    if found is None or found not in ROLES[side]:
        allowed = ", ".join(sorted(r.value for r in ROLES[side]))
        raise InvalidRequest(f"Rôle {role!r} inconnu pour cette organisation ({allowed})")
    return found


async def throttle_attempt(
    key: str,
    limiter: RateLimiter,
    user: StaffUser | None,
    ports: AccountPorts,
    action: str = "portal.login",
) -> None:
    """Count one sign-in attempt under `key`; past the limiter's rate it is refused (429,
    audited): an address (no `user`) is slowed down, an account is locked for
    `ports.lockout_minutes`. Shared with single sign-on (domain.services.sign_on)."""
    wait = await limiter.hit(key)
    if wait <= 0:
        return
    if user is None:
        await audit_account(ports, action, 429, None, detail="connexion freinée (adresse)")
        raise RateLimited(wait)
    lockout = ports.lockout_minutes * 60
    await ports.accounts.lock(user.id, ports.clock.now() + timedelta(seconds=lockout))
    await refuse_locked(user, lockout, ports, action)


async def refuse_locked(
    user: StaffUser, seconds: float, ports: AccountPorts, action: str = "portal.login"
) -> None:
    """Refuse a locked account's attempt: audited, then RateLimited with the `seconds` left
    (it always raises). Shared with single sign-on (domain.services.sign_on)."""
    await audit_account(ports, action, 429, user, detail="compte verrouillé")
    raise RateLimited(seconds)


async def _authentic(user: StaffUser | None, cmd: LogIn, ports: AccountPorts) -> bool:
    if user is None or not user.active:
        # The same work as for a real account: the answer's delay tells nothing.
        await ports.hasher.verify(_DECOY, cmd.password)
        return False
    if not await ports.hasher.verify(user.password_hash, cmd.password):
        return False
    if user.totp_secret is None:
        return True
    return ports.second_factor.verify(user.totp_secret, cmd.code.strip(), ports.clock.now())


# argon2id of a random password nobody knows: verified against when no account matches.
_DECOY = (
    "$argon2id$v=19$m=65536,t=3,p=4$1LZv03/sAfzKLSZy12ZALA$"
    "SPojc7pbADC/S88QE2GBdP6NCdCPDjGPUqfsbF76N6o"
)


async def audit_account(
    ports: AccountPorts, action: str, outcome: int, user: StaffUser | None, *, detail: str = ""
) -> None:
    """Audit what a person's account did or was refused: the account's organization as
    tenant, `staff:<id>` as client (neither for an unknown person), with its HTTP outcome."""
    entry = AuditEntry(
        at=ports.clock.now(), action=action, outcome=outcome,
        tenant=None if user is None else user.org,
        client_id=None if user is None else f"staff:{user.id}", detail=detail,
    )  # fmt: skip
    await ports.audit.append(entry)


async def _audit_session(
    ports: AccountPorts, action: str, session: StaffSession, *, detail: str = ""
) -> None:
    entry = AuditEntry(
        at=ports.clock.now(), action=action, outcome=200, tenant=session.org,
        client_id=f"staff:{session.user_id}", detail=detail,
    )  # fmt: skip
    await ports.audit.append(entry)
