"""Operations: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response

from adapters.sql.reads import in_thread
from gateway.deps import GatewayDep

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
async def metrics(gateway: GatewayDep) -> Response:
    """Prometheus text exposition."""
    body = gateway.metrics.exposition()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
