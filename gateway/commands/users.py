"""`amo-gateway users`: the extranet's people, per organization (a provider or a payer)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from domain.accounts import PAYERS, StaffUser
from domain.errors import InvalidRequest
from domain.services import accounts
from domain.services.accounts import AccountPorts, AddUser
from gateway.settings import Settings

if TYPE_CHECKING:  # the CLI registers these commands without loading the whole gateway
    from gateway.bootstrap import Storage

Adder = Callable[..., None]


def add_user(
    settings: Settings,
    *,
    org: str,
    email: str,
    role: str,
    password: str,
    totp_secret: str | None = None,
) -> StaffUser:
    """Give a person of an organization (provider id, INPE, client id or payer code) an
    account with a role, and a TOTP second factor when a secret is given."""
    cmd = AddUser(organization_id(settings, org), email, role, password, totp_secret)
    return asyncio.run(_with_ports(settings, lambda ports: accounts.add_user(cmd, ports=ports)))


def list_users(settings: Settings, org: str) -> list[StaffUser]:
    """An organization's accounts, by email."""
    found = organization_id(settings, org)
    return asyncio.run(_with_ports(settings, lambda ports: ports.accounts.of_org(found)))


def organization_id(settings: Settings, org: str) -> str:
    """The organization's id: a payer's code, or the provider's id found by id, INPE or
    client id."""
    from gateway.commands.admin import list_providers

    if org.upper() in PAYERS:
        return org.upper()
    for provider in list_providers(settings):
        if org in (provider.id, provider.inpe, provider.client_id):
            return provider.id
    raise InvalidRequest(f"Organisation inconnue : {org} (id, INPE ou client_id d'un prestataire, "
                         f"ou {', '.join(PAYERS)})")  # fmt: skip


async def _with_ports(settings: Settings, work: Callable[[AccountPorts], Any]) -> Any:
    from gateway.bootstrap import open_storage

    settings = settings.with_secrets()
    with open_storage(settings) as storage:
        return await _run(settings, storage, work)


async def _run(settings: Settings, storage: Storage, work: Callable[[AccountPorts], Any]) -> Any:
    from adapters.clock import SystemClock
    from adapters.sql.recorder import GroupCommitRecorder
    from gateway.bootstrap import account_ports
    from gateway.shared_state import login_limiters

    async with AsyncExitStack() as stack:
        recorder = GroupCommitRecorder(storage.uow, deadline=settings.request_deadline_seconds)
        stack.callback(recorder.close)
        limiters = await login_limiters(settings, stack)
        ports = account_ports(settings, storage, recorder, SystemClock(), limiters)
        return await work(ports)


def _add(args: argparse.Namespace, settings: Settings) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else ""
    if not password:
        print("erreur : mot de passe attendu sur l'entrée standard (--password-stdin)",
              file=sys.stderr)  # fmt: skip
        return 2
    from adapters.passwords import TotpCodes

    codes = TotpCodes()
    secret = codes.new_secret() if args.totp else None
    user = add_user(settings, org=args.org, email=args.email, role=args.role, password=password,
                    totp_secret=secret)  # fmt: skip
    print(f"compte {user.email} créé : {user.org}, rôle {user.role.value}")
    if secret is not None:  # shown once: the person enrols their authenticator app with it
        print(f"second facteur (TOTP) : {codes.enrolment_uri(secret, user.email)}")
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    for user in list_users(settings, args.org):
        state = "actif" if user.active else "désactivé"
        factor = " TOTP" if user.totp_secret else ""
        print(f"{user.email}\t{user.role.value}\t{state}{factor}")
    return 0


def register(sub: Any, add: Adder) -> None:
    """The `users` commands, on the CLI's parser."""
    users = sub.add_parser("users", help="the extranet's people").add_subparsers()
    add(users, "add", _add, "give a person an account (password on stdin)", _add_args)
    add(users, "list", _list, "list an organization's accounts", _org_arg)


def _org_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--org", required=True, help="provider id, INPE or client id; CNSS, CNOPS")


def _add_args(p: argparse.ArgumentParser) -> None:
    _org_arg(p)
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True,
                   help="provider: desk, pharmacist, accountant, admin; payer: reviewer, "
                   "finance, admin")  # fmt: skip
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--totp", action="store_true", help="require a TOTP code; prints its URI once")
