"""Operations: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from gateway.deps import GatewayDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (a trivial endpoint, also the benchmark ceiling)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(gateway: GatewayDep) -> Response:
    """Readiness: the database answers (Redis is optional: in-process fallback)."""
    await run_in_threadpool(gateway.storage.ping)
    return Response(b'{"status":"ready"}', media_type="application/json")


@router.get("/metrics")
async def metrics(gateway: GatewayDep) -> Response:
    """Prometheus text exposition."""
    body = gateway.metrics.exposition()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
