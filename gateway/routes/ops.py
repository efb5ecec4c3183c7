"""Operations: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from gateway.deps import ContainerDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (a trivial endpoint, also the benchmark ceiling)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(container: ContainerDep) -> Response:
    """Readiness: the database answers (Redis is optional: in-process fallback)."""
    await run_in_threadpool(_ping, container)
    return Response(b'{"status":"ready"}', media_type="application/json")


def _ping(container: ContainerDep) -> None:
    with container.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@router.get("/metrics")
async def metrics(container: ContainerDep) -> Response:
    """Prometheus text exposition."""
    body = container.extras["metrics"].exposition()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
