"""Documents a provider attaches to an answer: PDF, PNG or JPEG, checked before they are kept.

The declared type must be one we accept; the data must be joined (base64 in `data`, never a
link to follow) and start as its type does (`%PDF-`, the PNG signature, a JPEG start of
image): a scan or a report, never another file renamed. Each is bounded by a size (a setting,
`Settings.max_attachment_bytes`), checked on the base64 text before anything is decoded. What
the provider declares of its size and SHA-1 must hold. Kept: type, data, size and SHA-1 (so
that the reviewer can check what it reads), title and creation date.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any, Final

from domain.errors import InvalidRequest, MalformedRequest, TooLarge
from fhir_profiles import structure
from fhir_profiles.limits import MAX_ATTACHMENTS

Json = dict[str, Any]

# The types a desk's scanner or a report's export writes, each with the bytes it starts with.
SIGNATURES: Final[dict[str, bytes]] = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
MAX_TITLE_CHARS: Final = 256  # a file name or a short title
# Each document, unless the settings say otherwise (Settings.max_attachment_bytes says why).
DEFAULT_MAX_BYTES: Final = 2_097_152
_ELEMENTS: Final = frozenset(
    {"id", "extension", "contentType", "language", "data", "url", "size", "hash", "title",
     "creation"}
)  # fmt: skip


def check_supporting_documents(claim: Json, *, max_bytes: int) -> None:
    """The documents a Claim joins for its reviewer (`supportingInfo[].valueAttachment`: the
    prescription's scan, a report): at most MAX_ATTACHMENTS, counted before any is decoded,
    each checked as an answer's are. The Claim is kept as it came."""
    infos = claim.get("supportingInfo")
    if not isinstance(infos, list):
        return
    joined = [(i, info["valueAttachment"]) for i, info in enumerate(infos)
              if isinstance(info, dict) and "valueAttachment" in info]  # fmt: skip
    if len(joined) > MAX_ATTACHMENTS:
        raise TooLarge(
            f"Au plus {MAX_ATTACHMENTS} pièces jointes par demande ({len(joined)} reçues)",
            code="pieces-jointes-trop-nombreuses",
            expression="Claim.supportingInfo",
        )
    for i, value in joined:
        read_attachment(value, f"Claim.supportingInfo[{i}].valueAttachment", max_bytes=max_bytes)


def read_attachment(value: Any, path: str, *, max_bytes: int) -> Json:
    """A provider's Attachment, checked, as we keep it (with its size and SHA-1)."""
    attachment = structure.as_object(value, path)
    structure.only_known(attachment, _ELEMENTS, path)
    content_type = _content_type(attachment, path)
    if attachment.get("url") is not None:
        raise _unreadable("Le document est joint dans data : un lien (url) n'est pas suivi", path)
    data = _decoded(attachment.get("data"), f"{path}.data", max_bytes)
    if not data.startswith(SIGNATURES[content_type]):
        raise InvalidRequest(
            f"Le contenu joint n'est pas un fichier {content_type}",
            code="piece-jointe-non-conforme",
            expression=f"{path}.data",
        )
    # SHA-1 is what R4's Attachment.hash holds: an integrity check, not a signature.
    sha1 = hashlib.sha1(data, usedforsecurity=False)
    digest = base64.b64encode(sha1.digest()).decode("ascii")
    _declared(attachment, len(data), digest, path)
    kept: Json = {
        "contentType": content_type,
        "data": base64.b64encode(data).decode("ascii"),
        "size": len(data),
        "hash": digest,
    }
    title = structure.optional_string(attachment, "title", path)
    if title is not None:
        kept["title"] = title[:MAX_TITLE_CHARS]
    creation = structure.optional_string(attachment, "creation", path)
    if creation is not None:
        kept["creation"] = structure.date_time(creation, f"{path}.creation")
    return kept


def decoded(attachment: Json) -> bytes:
    """The bytes of an Attachment we kept."""
    return base64.b64decode(attachment["data"])


def _content_type(attachment: Json, path: str) -> str:
    declared = structure.optional_string(attachment, "contentType", path)
    if declared is None:
        raise InvalidRequest(
            "Le type du document (contentType) est obligatoire : application/pdf, image/png "
            "ou image/jpeg",
            code="type-piece-jointe-refuse",
            expression=f"{path}.contentType",
        )
    bare = declared.split(";", 1)[0].strip().lower()
    if bare not in SIGNATURES:
        raise InvalidRequest(
            f"Type de document refusé : « {declared[:64]} » (application/pdf, image/png ou "
            "image/jpeg)",
            code="type-piece-jointe-refuse",
            expression=f"{path}.contentType",
        )
    return bare


def _decoded(value: Any, path: str, max_bytes: int) -> bytes:
    if not isinstance(value, str) or not value.strip():
        raise _unreadable("Le contenu du document est absent (data, en base64)", path)
    text = "".join(value.split())  # base64Binary may be wrapped (R4 datatypes)
    if len(text) // 4 * 3 - 2 > max_bytes:  # refused before it is decoded
        raise _too_heavy(len(text) // 4 * 3, max_bytes, path)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _unreadable("Le contenu du document n'est pas du base64 valide", path) from None
    if not data:
        raise _unreadable("Le document joint est vide", path)
    if len(data) > max_bytes:
        raise _too_heavy(len(data), max_bytes, path)
    return data


def _declared(attachment: Json, size: int, digest: str, path: str) -> None:
    """What the provider says of its document must hold: else it was cut or altered."""
    declared_size = attachment.get("size")
    if declared_size is not None and declared_size != size:
        raise _unreadable(
            f"Taille déclarée ({str(declared_size)[:20]}) différente du contenu reçu ({size} "
            "octets) : document tronqué ?",
            f"{path}.size",
        )
    declared_hash = attachment.get("hash")
    if declared_hash is not None and declared_hash != digest:
        raise _unreadable("Empreinte SHA-1 déclarée différente du contenu reçu", f"{path}.hash")


def _too_heavy(size: int, max_bytes: int, path: str) -> TooLarge:
    return TooLarge(
        f"Document de {_mib(size)} : au plus {_mib(max_bytes)} par pièce jointe",
        code="piece-jointe-trop-lourde",
        expression=path,
    )


def _unreadable(detail: str, path: str) -> MalformedRequest:
    return MalformedRequest(detail, code="piece-jointe-illisible", expression=path)


def _mib(size: int) -> str:
    """A size as a person reads it, in French (2,5 Mio, 740 Kio)."""
    if size < 1_048_576:
        return f"{max(1, round(size / 1024))} Kio"
    return f"{size / 1_048_576:.1f} Mio".replace(".", ",")
