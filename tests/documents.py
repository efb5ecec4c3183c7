"""Documents a provider joins to an answer, and the FHIR bodies carrying them, for any test."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

# Files as a scanner or an export writes them (their first bytes are what is checked).
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00"


def b64(data: bytes) -> str:
    """Base64 text of bytes, as FHIR's base64Binary."""
    return base64.b64encode(data).decode("ascii")


def sha1(data: bytes) -> str:
    """The SHA-1 of bytes in base64, as FHIR's Attachment.hash."""
    return b64(hashlib.sha1(data, usedforsecurity=False).digest())


def attachment(
    data: bytes = PDF, content_type: str = "application/pdf", **more: Any
) -> dict[str, Any]:
    """A contentAttachment payload item."""
    return {"contentAttachment": {"contentType": content_type, "data": b64(data), **more}}


def communication(request_id: str, *payload: dict[str, Any], **more: Any) -> dict[str, Any]:
    """A provider's Communication answering a request (a note and a PDF by default)."""
    items = list(payload) or [{"contentString": "Compte rendu opératoire ci-joint"}, attachment()]
    return {
        "resourceType": "Communication",
        "status": "completed",
        "basedOn": [{"reference": f"CommunicationRequest/{request_id}"}],
        "payload": items,
        **more,
    }


def information_request(
    reason: str = "complement-compte-rendu", note: str | None = None
) -> dict[str, Any]:
    """A reviewer's $request-information Parameters."""
    parameter: list[dict[str, Any]] = [{"name": "reason", "valueCode": reason}]
    if note is not None:
        parameter.append({"name": "note", "valueString": note})
    return {"resourceType": "Parameters", "parameter": parameter}
