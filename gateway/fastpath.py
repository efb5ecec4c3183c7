"""The hot submit routes without the router's layers, joined by declaration.

A route decorated with `@hot` stays a declared FastAPI route (OpenAPI, and the same answer
through the router); this middleware, innermost of ours, serves its POSTs directly: it calls
each of the route's dependencies (each takes the Request alone, see gateway/deps.py) in the
order FastAPI would, then the endpoint. Each layer it skips would be crossed again whenever
the request resumes after waiting for its commit. Errors go to the one renderer of
gateway/errors.py, as through the router; tests compare both answers byte for byte.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi.routing import APIRoute, APIRouter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.errors import render_error

E = TypeVar("E", bound=Callable[..., Awaitable[Response]])
_MARK = "__amo_hot__"


def hot(endpoint: E) -> E:
    """Declare a POST route as hot: the fast path serves it."""
    setattr(endpoint, _MARK, True)
    return endpoint


@dataclass(frozen=True, slots=True)
class _Served:
    route: APIRoute
    dependencies: tuple[tuple[str, Callable[[Request], Any]], ...]


class FastPath:
    """Serves POSTs to the hot routes directly; passes everything else on."""

    def __init__(self, app: ASGIApp, routers: Sequence[APIRouter]) -> None:
        """`routers`: every router the app includes, without an include prefix."""
        self.app = app
        self.served = {
            route.path: _prepare(route)
            for router in routers
            for route in router.routes
            if isinstance(route, APIRoute) and getattr(route.endpoint, _MARK, False)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        served = self.served.get(scope["path"]) if scope["type"] == "http" else None
        if served is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        scope["route"] = served.route  # for metrics, logs and audit, as the router sets it
        request = Request(scope, receive)
        try:
            response = await served.route.endpoint(**await _solve(served, request))
        except Exception as exc:
            response = await render_error(request, exc)
        await response(scope, receive, send)


async def _solve(served: _Served, request: Request) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, call in served.dependencies:
        value = call(request)
        values[name] = await value if inspect.isawaitable(value) else value
    return values


def _prepare(route: APIRoute) -> _Served:
    """The route's dependencies in order; refuses a route the fast path cannot serve alike."""
    if route.methods != {"POST"} or route.param_convertors:
        raise ValueError(f"{route.path}: only POST routes without path parameters can be hot")
    dependant = route.dependant
    plain = (dependant.path_params, dependant.query_params, dependant.header_params)
    if any(plain) or dependant.body_params or dependant.cookie_params:
        raise ValueError(f"{route.path}: a hot route takes its inputs through dependencies")
    found = []
    for sub in dependant.dependencies:
        if sub.call is None or sub.name is None or sub.request_param_name is None:
            raise ValueError(f"{route.path}: each dependency must take the Request")
        if sub.dependencies or sub.query_params or sub.header_params or sub.body_params:
            raise ValueError(f"{route.path}: {sub.name} must take the Request alone")
        found.append((sub.name, sub.call))
    return _Served(route, tuple(found))
