"""Providers' webhook endpoints, registered by the operator before any subscription.

Registering an endpoint is the operator's act, not the provider's: the gateway only ever POSTs
to a URL someone accountable checked. The signing secret is shown once, at registration, and
stored encrypted like personal data.
"""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.webhooks import new_secret, url_problem
from domain.records import Provider
from domain.subscriptions import WebhookEndpoint
from domain.uow_ports import UnitOfWork
from gateway.bootstrap import open_storage
from gateway.ids import new_id
from gateway.settings import Settings


def add_endpoint(settings: Settings, *, inpe: str, url: str) -> tuple[WebhookEndpoint, str]:
    """Register a provider's endpoint; the endpoint and its secret (to give the provider)."""
    problem = url_problem(url, allow_http=settings.webhook_allow_http)
    if problem:
        raise SystemExit(f"URL refusée : {problem}")
    with open_storage(settings) as storage, storage.uow() as uow:
        provider = _provider(uow, inpe)
        if uow.endpoints.by_url(provider.id, url) is not None:
            raise SystemExit(f"Ce point de terminaison est déjà enregistré pour l'INPE {inpe}")
        endpoint = WebhookEndpoint(new_id(), provider.id, url, datetime.now(UTC))
        secret = new_secret()
        uow.endpoints.add(endpoint, secret)
        uow.commit()
    return endpoint, secret


def list_endpoints(settings: Settings, *, inpe: str) -> list[WebhookEndpoint]:
    """A provider's endpoints (never their secrets)."""
    with open_storage(settings) as storage, storage.uow() as uow:
        return uow.endpoints.of(_provider(uow, inpe).id)


def remove_endpoint(settings: Settings, *, inpe: str, endpoint_id: str) -> int:
    """Remove a provider's endpoint and its subscriptions; how many subscriptions went."""
    with open_storage(settings) as storage, storage.uow() as uow:
        removed = uow.endpoints.remove(_provider(uow, inpe).id, endpoint_id)
        if removed is None:
            raise SystemExit(f"Aucun point de terminaison {endpoint_id} pour l'INPE {inpe}")
        uow.commit()
        return removed


def _provider(uow: UnitOfWork, inpe: str) -> Provider:
    provider = uow.providers.by_inpe(inpe)
    if provider is None:
        raise SystemExit(f"Aucun prestataire avec l'INPE {inpe}")
    return provider
