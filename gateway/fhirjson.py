"""FHIR JSON on the wire: strict reading of request bodies, fast writing with orjson."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

FHIR_JSON = "application/fhir+json; charset=utf-8"
# Answers that carry patient data: kept by no browser nor shared cache, never sniffed into
# another content type (OWASP REST Security Cheat Sheet, "Security headers").
PRIVATE_ANSWER = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
ACCEPTED_BODY_TYPES = ("application/fhir+json", "application/json")
ACCEPTED_ANSWER_TYPES = ("application/fhir+json", "application/json", "application/*", "*/*")


def dumps(resource: Any) -> bytes:
    """Serialise a resource built as plain dicts (fhir.resources stays off the hot path)."""
    return orjson.dumps(resource)


def fhir_response(
    body: bytes | dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A FHIR JSON answer carrying patient data (a resource built as dicts, or bytes already
    written): not to be cached nor sniffed."""
    raw = body if isinstance(body, bytes) else dumps(body)
    kept = {**PRIVATE_ANSWER, **headers} if headers else PRIVATE_ANSWER
    return Response(raw, status_code=status, media_type=FHIR_JSON, headers=kept)


def FHIR_BODY(description: str) -> dict[str, Any]:
    """The OpenAPI request body of a route reading FHIR JSON by hand (not through pydantic)."""
    schema = {"type": "object", "description": description}
    return {
        "requestBody": {"required": True, "content": {"application/fhir+json": {"schema": schema}}}
    }


def json_over_limits(value: Any, *, max_depth: int, max_nodes: int | None) -> str | None:
    """ "depth" when objects and arrays nest deeper than `max_depth`, "nodes" when there are
    more than `max_nodes` of them in all, else None (level by level: no recursion)."""
    level = [value] if isinstance(value, dict | list) else []
    depth, nodes = 0, 0
    while level:
        depth += 1
        nodes += len(level)
        if depth > max_depth:
            return "depth"
        if max_nodes is not None and nodes > max_nodes:
            return "nodes"
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, dict | list)
        ]
    return None


def media_type(header: str | None) -> str:
    """The bare media type of a Content-Type or Accept entry."""
    return (header or "").split(";", 1)[0].strip().lower()


def accepts_fhir_json(accept: str | None) -> bool:
    """Whether an Accept header admits FHIR JSON (absent means anything)."""
    if not accept:
        return True
    return any(media_type(part) in ACCEPTED_ANSWER_TYPES for part in accept.split(","))


async def read_body(request: Request, max_bytes: int) -> bytes | None:
    """The request body, or None as soon as it grows past `max_bytes`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def submitted(body: bytes, response_url: str, *, replayed: bool) -> Response:
    """The answer to a $submit (200): where the stored answer is read back."""
    return fhir_response(body, headers={"Content-Location": response_url, **_replay(replayed)})


def created(body: bytes, request_url: str, response_url: str, *, replayed: bool) -> Response:
    """The answer to a create (201): the stored request, and where its answer is read back."""
    headers = {"Location": request_url, "Content-Location": response_url, **_replay(replayed)}
    return fhir_response(body, status=201, headers=headers)


def _replay(replayed: bool) -> dict[str, str]:
    """The header telling a client it got the answer kept for its Idempotency-Key."""
    return {"Idempotent-Replayed": "true"} if replayed else {}
