"""The FastAPI application: routes, error handlers, middleware, and the lifespan."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from domain.ports import Clock, IdGenerator
from domain.transfer_ports import TransferReader
from gateway.bootstrap import Gateway, wire
from gateway.errors import install_error_handlers
from gateway.fastpath import FastPath
from gateway.logs import configure_logging
from gateway.metrics import Metrics
from gateway.middleware import ObservabilityMiddleware
from gateway.portal import mount as portal
from gateway.routes import (
    anomalies,
    communications,
    conformance,
    eligibility,
    messaging,
    ops,
    payments,
    prior_auth,
    statement,
    subscriptions,
    token,
)
from gateway.settings import Settings

DESCRIPTION = (
    "Passerelle FHIR R4 du tiers payant AMO, pour les pharmacies, cliniques, hôpitaux et "
    "laboratoires conventionnés avec la CNSS et la CNOPS : éligibilité en temps réel, prises en "
    "charge, factures et leurs paiements. Pour commencer (jeton, premier appel, erreurs, "
    "notifications) : [/portal/developers](/portal/developers)."
)


# Every router, included as declared (no include prefix): the fast path finds hot routes here.
ROUTERS = [
    eligibility.router,
    statement.router,  # before prior_auth's /ClaimResponse/{id}
    prior_auth.router,
    anomalies.router,
    payments.router,
    messaging.router,
    subscriptions.router,  # before conformance's catch-all /fhir/{resource_type} routes
    communications.router,
    token.router,
    ops.router,
    conformance.smart,
    conformance.router,
]


def create_app(
    settings: Settings | None = None,
    *,
    fast_path: bool = True,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    transfers: TransferReader | None = None,
) -> FastAPI:
    """Build the app; adapters are created when it starts and closed when it stops.

    fast_path=False serves the hot routes through the router too; `clock` and `ids` replace
    the system's (both for tests that compare the two paths byte for byte); `transfers` is
    where the settlement's transfers are read (kept in process without it)."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level, settings.log_json)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with wire(settings, metrics, clock=clock, ids=ids, transfers=transfers) as gateway:
            app.state.gateway = gateway
            app.state.settings = gateway.settings
            _tune_collector()
            async with _watching_registry(gateway):
                yield

    # The OpenAPI page (Swagger UI at /docs) loads its scripts and styles
    # from the gateway itself: nothing from a CDN, for providers behind poor connections.
    app = FastAPIOffline(
        title="AMO tiers-payant gateway",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,  # ReDoc draws a logo from its vendor's CDN
        static_url="/docs/static",
        favicon_url="/docs/static/favicon.png",
        openapi_url="/openapi.json",
        redirect_slashes=False,  # its redirect would echo the Host header: a trailing / is a 404
    )
    app.state.settings = settings
    install_error_handlers(app)
    for router in ROUTERS:  # in order: routes are matched in order
        app.include_router(router)
    portal.install(app)  # the extranet for people: /portal, /console
    if fast_path:
        app.add_middleware(FastPath, routers=ROUTERS)  # innermost of ours
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    return app


def _tune_collector() -> None:
    # What exists now lives as long as the process: keep it out of the collector's
    # scans, so that full collections under load stay short (fewer latency spikes).
    gc.collect()
    gc.freeze()
    # Each request allocates a few thousand short-lived objects (FHIR dicts): collect the
    # young generation every 20,000 allocations rather than 700.
    gc.set_threshold(20_000, 20, 20)


@asynccontextmanager
async def _watching_registry(gateway: Gateway) -> AsyncIterator[None]:
    """Follow the registry's version while serving: cached decisions follow imports."""
    follower = asyncio.create_task(gateway.registry.follow())
    try:
        yield
    finally:
        follower.cancel()
