"""Operations: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException

from adapters.sql.reads import in_thread
from gateway.deps import GatewayDep
from gateway.errors import InvalidAccessToken, Unauthenticated
from gateway.settings import PRODUCTION, Settings

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (a trivial endpoint, also the benchmark ceiling)."""
    return {"status": "ok"}


# A load balancer probes every few seconds and gives up after its own timeout (nginx, k8s:
# 1 to 3 s): the answer must come within it, "not ready" included.
READY_DEADLINE_SECONDS = 1.5


@router.get("/readyz")
async def readyz(gateway: GatewayDep) -> Response:
    """Readiness: the database answers within the deadline (Redis is optional)."""
    await in_thread(gateway.storage.ping, deadline=READY_DEADLINE_SECONDS)
    return Response(b'{"status":"ready"}', media_type="application/json")


@router.get("/metrics")
async def metrics(request: Request, gateway: GatewayDep) -> Response:
    """Prometheus text exposition, for the scraper holding AMO_METRICS_TOKEN."""
    admit_scraper(request, gateway.settings)
    body = gateway.metrics.exposition()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


def admit_scraper(request: Request, settings: Settings) -> None:
    """Refuse unless the request bears the metrics token; without one, production serves
    no metrics (they name routes, clients' volumes and error rates: not for the internet)."""
    expected = settings.metrics_token.get_secret_value()
    if not expected:
        if settings.env == PRODUCTION:
            raise HTTPException(404)
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthenticated()
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise InvalidAccessToken()
