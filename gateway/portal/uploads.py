"""Forms that carry documents (multipart/form-data): read within a bound, their CSRF token
checked like any form's, each document kept as the browser sent it for the API's own checks
(fhir_profiles.attachments: PDF, PNG or JPEG, each within Settings.max_attachment_bytes).

The standard library's MIME parser reads the body: the portal's forms are small and bounded,
and no multipart dependency is needed for them."""

from __future__ import annotations

import base64
import email
import email.policy
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from domain.errors import TooLarge
from fhir_profiles import attachments
from fhir_profiles.limits import MAX_ATTACHMENTS
from gateway.portal import web

PART_OVERHEAD = 1024  # a part's boundary and headers, generously


class TooMuch(Exception):
    """A body past the form's bound: refused before it is read further."""


@dataclass(frozen=True, slots=True)
class Upload:
    """One document as the browser sent it."""

    field: str
    name: str  # its file name
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Posted:
    """A posted form: its fields, and the documents it carried (none for a plain form)."""

    fields: dict[str, list[str]]
    uploads: tuple[Upload, ...] = ()


def bound(max_attachment_bytes: int) -> int:
    """The largest body a document form may send: its fields, and every document it may join
    at the largest a document may be."""
    return web.MAX_FORM_BYTES + MAX_ATTACHMENTS * (max_attachment_bytes + PART_OVERHEAD)


async def posted(request: Request, max_attachment_bytes: int) -> Posted:
    """The form, urlencoded or multipart, its CSRF token checked (TooMuch past the bound)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return Posted(await web.form(request))
    limit = bound(max_attachment_bytes)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooMuch()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooMuch()
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    message = email.message_from_bytes(head + bytes(body), policy=email.policy.HTTP)
    fields: dict[str, list[str]] = {}
    uploads: list[Upload] = []
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(data, bytes):
            continue
        filename = part.get_filename()
        if filename is None:
            fields.setdefault(name, []).append(data.decode("utf-8", "replace"))
        elif filename or data:  # a file input left empty sends an empty, nameless part
            uploads.append(Upload(name, filename, part.get_content_type(), data))
    web.check_csrf(request, web.first(fields, "csrf"))
    return Posted(fields, tuple(uploads))


def attachment(upload: Upload) -> dict[str, Any]:
    """The FHIR Attachment a provider's software would send for the document."""
    return {
        "contentType": upload.content_type,
        "data": base64.b64encode(upload.data).decode("ascii"),
        "title": upload.name[: attachments.MAX_TITLE_CHARS],
    }


def checked(uploads: tuple[Upload, ...], path: str, max_bytes: int) -> list[dict[str, Any]]:
    """Each document as the API keeps an Attachment, checked by its rules (type, signature,
    size); at most MAX_ATTACHMENTS."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise TooLarge(
            f"Au plus {MAX_ATTACHMENTS} pièces jointes par demande ({len(uploads)} reçues)",
            code="pieces-jointes-trop-nombreuses",
            expression=path,
        )
    return [
        attachments.read_attachment(attachment(u), f"{path}[{i}]", max_bytes=max_bytes)
        for i, u in enumerate(uploads)
    ]
