"""The `amo-gateway` console command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import orjson

from domain.errors import DomainError
from gateway.cli_registry import registry_commands
from gateway.cli_settlement import settlement_commands
from gateway.commands import users
from gateway.settings import ConfigurationError, Settings

Handler = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env(database_url=args.database_url, redis_url=args.redis_url)
        return int(args.handler(args, settings))
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"erreur : {exc.detail or exc.code}", file=sys.stderr)
        return 2


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.serve import serve

    where = replace(settings, host=args.host or settings.host, port=args.port or settings.port)
    return serve(where, workers=args.workers)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.demo import demo_settings, prepare_demo, where_to_go

    public = f"http://{args.host}:{args.port}"
    settings = demo_settings(Settings.from_env(public_url=public), Path(args.state_dir))
    demo = prepare_demo(settings, people=args.people, seed=args.seed)
    print(where_to_go(settings, demo), flush=True)
    if args.no_serve:
        return 0
    args.workers = 1
    return _serve(args, settings)


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.admin import run_migrations

    print(f"schéma à jour ; référentiel {run_migrations(settings)}")
    return 0


def _refdata(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.admin import load_refdata

    version, new = load_refdata(settings, Path(args.directory))
    print(f"référentiel {version} {'chargé' if new else 'déjà en vigueur'}")
    return 0


def _providers_add(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.admin import add_provider

    provider = add_provider(
        settings,
        inpe=args.inpe,
        name=args.name,
        category=args.category,
        payers=[p.strip() for p in args.payers.split(",") if p.strip()],
        jwks_path=Path(args.jwks),
        client_id=args.client_id,
        scopes=args.scopes.split() if args.scopes else None,
    )
    print(f"prestataire {provider.id} enregistré ; client_id = {provider.client_id}")
    return 0


def _reviewers_add(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.admin import add_reviewer

    reviewer = add_reviewer(
        settings,
        payer=args.payer,
        unit=args.unit,
        name=args.name,
        jwks_path=Path(args.jwks),
        client_id=args.client_id,
    )
    print(f"contrôle médical {reviewer.id} enregistré ; client_id = {reviewer.client_id}")
    return 0


def _providers_list(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.admin import list_providers

    for p in list_providers(settings):
        payers, scopes = ",".join(p.payers), " ".join(p.scopes) or "(défaut)"
        print(
            f"{p.inpe}\t{p.client_id}\t{p.category}\t{payers}\t{p.convention}\t{scopes}\t{p.name}"
        )
    return 0


def _providers_convention(args: argparse.Namespace, settings: Settings) -> int:
    from domain.records import Convention
    from gateway.commands.admin import set_convention

    set_convention(settings, args.inpe, Convention(args.status))
    print(f"prestataire {args.inpe} : convention {args.status}")
    return 0


def _payments_clock(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.payments import clock_report, report_lines

    bands, delays = clock_report(settings, payer=args.payer, by=args.by)
    print("\n".join(report_lines(bands, delays)))
    return 0


def _clock_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--payer", help="one payer's claims only (CNSS, CNOPS...)")
    p.add_argument("--by", choices=("payer", "provider"), default="payer")


def _endpoint_add(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.endpoints import add_endpoint

    endpoint, secret = add_endpoint(settings, inpe=args.inpe, url=args.url)
    print(f"point de terminaison {endpoint.id} enregistré : {endpoint.url}")
    print(f"secret de signature (Standard Webhooks), affiché cette seule fois : {secret}")
    return 0


def _endpoint_list(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.endpoints import list_endpoints

    for endpoint in list_endpoints(settings, inpe=args.inpe):
        print(f"{endpoint.id}\t{endpoint.created.isoformat(timespec='seconds')}\t{endpoint.url}")
    return 0


def _endpoint_remove(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.endpoints import remove_endpoint

    count = remove_endpoint(settings, inpe=args.inpe, endpoint_id=args.id)
    print(f"point de terminaison {args.id} supprimé, avec {count} abonnement(s)")
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.worker import run_worker

    return run_worker(settings)


def _audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.admin import verify_audit

    return 0 if verify_audit(settings) else 1


def _client_keygen(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.client import generate_client_key

    public = generate_client_key(Path(args.out), key_id=args.kid)
    sys.stdout.write(orjson.dumps(public, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


def _client_assertion(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.client import sign_assertion

    print(sign_assertion(Path(args.key), args.client_id, args.aud or settings.token_url))
    return 0


def _keys_new(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.crypto import new_key

    print(new_key())
    return 0


def _keys_rotate(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.commands.admin import rotate_keys

    report = rotate_keys(settings)
    print(
        f"rechiffré sous la clé courante : {report.members:,} membres, "
        f"{report.exchanges:,} échanges, {report.webhook_secrets:,} secrets de webhook, "
        f"{report.messages:,} messages, {report.totp_secrets:,} seconds facteurs"
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amo-gateway", description=__doc__)
    parser.add_argument("--database-url", help="overrides AMO_DATABASE_URL")
    parser.add_argument("--redis-url", help="overrides AMO_REDIS_URL")
    sub = parser.add_subparsers(metavar="command")
    _add(sub, "serve", _serve, "run the HTTP gateway", _serve_args)
    _add(sub, "demo", _demo, "embedded gateway with demo data (make demo)", _demo_args)
    _add(sub, "migrate", _migrate, "create or upgrade the schema, load reference data")
    _add(sub, "refdata", _refdata, "load reference data files as a new version", _dir_arg)
    providers = sub.add_parser("providers", help="provider organizations").add_subparsers()
    _add(providers, "add", _providers_add, "register a provider and its client", _provider_args)
    _add(providers, "list", _providers_list, "list registered providers")
    _add(
        providers,
        "convention",
        _providers_convention,
        "record a provider's convention: active, suspended or terminated",
        _convention_args,
    )
    endpoint = providers.add_parser(
        "endpoint", help="a provider's webhook endpoints (notifications)"
    ).add_subparsers()
    _add(endpoint, "add", _endpoint_add, "register an endpoint; prints its secret once", _url_args)
    _add(endpoint, "list", _endpoint_list, "list a provider's endpoints", _inpe_arg)
    _add(endpoint, "remove", _endpoint_remove, "remove an endpoint and its subscriptions", _id_args)
    payments = sub.add_parser("payments", help="what payers owe providers").add_subparsers()
    _add(payments, "clock", _payments_clock, "overdue claims by age, claim-to-cash", _clock_args)
    settlement_commands(sub, _add)
    _add(sub, "worker", _worker, "deliver notifications and run periodic jobs until stopped")
    reviewers = sub.add_parser("reviewers", help="payers' medical review units").add_subparsers()
    _add(reviewers, "add", _reviewers_add, "register a review unit and its client", _reviewer_args)
    registry_commands(sub, _add)
    audit = sub.add_parser("audit", help="audit trail").add_subparsers()
    _add(audit, "verify", _audit_verify, "check the audit hash chains")
    client = sub.add_parser("client", help="a provider's client tools").add_subparsers()
    _add(client, "keygen", _client_keygen, "new private key; prints the public JWKS", _key_args)
    _add(client, "assertion", _client_assertion, "sign a client assertion", _assertion_args)
    users.register(sub, _add)
    keys = sub.add_parser("keys", help="server keys").add_subparsers()
    _add(keys, "new", _keys_new, "print a new random 256-bit key (base64)")
    _add(keys, "rotate", _keys_rotate, "re-encrypt personal data under AMO_DATA_KEY_CURRENT")
    return parser


def _add(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    handler: Handler,
    help_text: str,
    configure: Callable[[argparse.ArgumentParser], None] | None = None,
) -> None:
    command = sub.add_parser(name, help=help_text, description=help_text)
    command.set_defaults(handler=handler)
    if configure:
        configure(command)


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    # One by default: without Redis the cache and the rate limits live in each process.
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")


def _demo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--people", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--state-dir", default="var/demo")
    p.add_argument("--no-serve", action="store_true", help="prepare the data and stop")


def _dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("directory", nargs="?", default="refdata")


def _provider_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--inpe", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--category", required=True)
    p.add_argument("--payers", required=True, help="comma-separated, e.g. CNSS,CNOPS")
    p.add_argument("--jwks", required=True, help="file holding the client's public JWK Set")
    p.add_argument("--client-id")
    p.add_argument(
        "--scopes",
        help="space-separated SMART scopes the client may be granted, e.g. 'system/*.rs' "
        "(default: any scope of a served resource type, no wildcard)",
    )


def _reviewer_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--payer", required=True, help="the payer it reviews for, e.g. CNSS")
    p.add_argument("--unit", required=True, help="the review unit's code, e.g. CM-CASA")
    p.add_argument("--name", required=True)
    p.add_argument("--jwks", required=True, help="file holding the client's public JWK Set")
    p.add_argument("--client-id")


def _convention_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--inpe", required=True)
    p.add_argument("--status", required=True, choices=["active", "suspended", "terminated"])


def _inpe_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--inpe", required=True)


def _url_args(p: argparse.ArgumentParser) -> None:
    _inpe_arg(p)
    p.add_argument("--url", required=True, help="https:// URL the notifications are POSTed to")


def _id_args(p: argparse.ArgumentParser) -> None:
    _inpe_arg(p)
    p.add_argument("--id", required=True, help="the endpoint's id (endpoint list)")


def _key_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="where to write the private JWK")
    p.add_argument("--kid")


def _assertion_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key", required=True, help="private JWK file")
    p.add_argument("--client-id", required=True)
    p.add_argument("--aud", help="token endpoint URL (default: AMO_PUBLIC_URL/auth/token)")


if __name__ == "__main__":
    raise SystemExit(main())
