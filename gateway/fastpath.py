"""The eligibility submit routes without the router's layers: the gateway's hot path.

FastAPI still declares these routes (OpenAPI, and the same answers without this layer); this
middleware, innermost of ours, calls their endpoints directly. Each layer it skips is crossed
again whenever the request resumes after waiting for its commit. Errors are answered by the
same handlers as everywhere else; unexpected ones still reach the 500/503 handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.errors import DomainError
from gateway.errors import GatewayError, render_error

Endpoint = Callable[[Request], Awaitable[Response]]


class SubmitFastPath:
    """Serves POSTs to the given endpoints directly; passes everything else on."""

    def __init__(self, app: ASGIApp, router: APIRouter, endpoints: list[Endpoint]) -> None:
        self.app = app
        self.routes = {
            route.path: route
            for route in router.routes
            if isinstance(route, APIRoute) and route.endpoint in endpoints
        }
        if len(self.routes) != len(endpoints):
            raise ValueError("every fast-path endpoint must be a route of the router")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.routes.get(scope["path"]) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        scope["route"] = route  # for metrics and logs, as the router would set it
        request = Request(scope, receive)
        try:
            response = await route.endpoint(request)
        except (GatewayError, DomainError) as exc:
            response = await render_error(request, exc)
        await response(scope, receive, send)
