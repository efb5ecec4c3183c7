"""SMART system scopes: parsing what a client asks and checking what a token allows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# The resource types a provider may be granted access to.
SCOPED_RESOURCES = ("CoverageEligibilityRequest", "CoverageEligibilityResponse")

_SCOPE = re.compile(r"^system/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)(\?.*)?$")
_V1 = {"read": "rs", "write": "cud", "*": "cruds"}


@lru_cache(maxsize=1024)
def interactions(scope: str) -> tuple[str, str] | None:
    """(resource type or "*", permitted interaction letters) of a SMART v1 or v2 scope."""
    match = _SCOPE.match(scope)
    if match is None or not match.group(2):
        return None
    resource, access = match.group(1), match.group(2)
    if resource != "*" and resource not in SCOPED_RESOURCES:
        return None
    return resource, _V1.get(access, access)


def grantable(requested: str) -> list[str]:
    """The requested scopes the gateway can grant (unknown ones are dropped, per RFC 6749)."""
    return [s for s in requested.split() if interactions(s) is not None]


def allows(scopes: Iterable[str], resource: str, interaction: str) -> bool:
    """Whether granted scopes permit an interaction letter (c r u d s) on a resource type."""
    for scope in scopes:
        parsed = interactions(scope)
        if parsed and parsed[0] in ("*", resource) and interaction in parsed[1]:
            return True
    return False
