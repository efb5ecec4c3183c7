"""The FastAPI application: routes, error handlers, middleware, and the lifespan."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gateway.bootstrap import build_container
from gateway.errors import install_error_handlers
from gateway.fastpath import SubmitFastPath
from gateway.freshness import watch_registry
from gateway.logs import configure_logging
from gateway.metrics import Metrics
from gateway.middleware import ObservabilityMiddleware
from gateway.routes import conformance, eligibility, ops, token
from gateway.settings import Settings

DESCRIPTION = (
    "Passerelle FHIR R4 du tiers payant AMO : éligibilité en temps réel, pour les pharmacies, "
    "cliniques, hôpitaux et laboratoires conventionnés avec la CNSS et la CNOPS."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; adapters are created when it starts and closed when it stops."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level, settings.log_json)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = build_container(settings)
        container.extras["metrics"] = metrics
        app.state.container = container
        app.state.settings = container.settings
        # What exists now lives as long as the process: keep it out of the collector's
        # scans, so that full collections under load stay short (fewer latency spikes).
        gc.collect()
        gc.freeze()
        # Each request allocates a few thousand short-lived objects (FHIR dicts): collect the
        # young generation every 20,000 allocations rather than 700.
        gc.set_threshold(20_000, 20, 20)
        watcher = asyncio.create_task(watch_registry(container, settings.registry_poll_seconds))
        try:
            yield
        finally:
            watcher.cancel()
            await container.aclose()

    app = FastAPI(
        title="AMO tiers-payant gateway",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # the OpenAPI document is served; no page loading scripts from a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(eligibility.router)  # first: routes are matched in order
    app.include_router(token.router)
    app.include_router(ops.router)
    app.include_router(conformance.smart)
    app.include_router(conformance.router)
    hot = [eligibility.submit, eligibility.create]
    app.add_middleware(SubmitFastPath, router=eligibility.router, endpoints=hot)  # innermost
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    return app
