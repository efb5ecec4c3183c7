"""SMART system scopes: what a client may be granted, and what a granted token allows.

Only scopes the gateway enforces are granted. A scope with a restriction (SMART v2
`?patient=...`, `?category=...`) is never granted: the routes would not apply it, so granting
it would give the client more than it asked for. A wildcard resource (`system/*.rs`) is granted
only to a client registered for it (`amo-gateway providers add --scopes`); a client registered
without scopes may have any scope of a resource type the gateway serves, one type at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

# The resource types a provider may be granted access to.
SCOPED_RESOURCES = (
    "CoverageEligibilityRequest",
    "CoverageEligibilityResponse",
    "Claim",
    "ClaimResponse",
    "Task",
    "CommunicationRequest",
    "Communication",
    "Subscription",
    "PaymentReconciliation",
    "PaymentNotice",
    "DetectedIssue",  # a payer's reviewers only (the routes refuse any other role)
)
WILDCARD = "*"

_SCOPE = re.compile(r"^system/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$")
_V1 = {"read": "rs", "write": "cud", "*": "cruds"}


@lru_cache(maxsize=1024)
def interactions(scope: str) -> tuple[str, str] | None:
    """(resource type or "*", permitted interaction letters) of an enforceable system scope."""
    match = _SCOPE.match(scope)
    if match is None or not match.group(2):
        return None
    resource, access = match.group(1), match.group(2)
    if resource != WILDCARD and resource not in SCOPED_RESOURCES:
        return None
    return resource, _V1.get(access, access)


def grantable(requested: str, registered: Sequence[str] = ()) -> list[str]:
    """The requested scopes a client registered for `registered` may have (empty: every
    enforceable scope but wildcards); the others are dropped, as RFC 6749 §3.3 allows."""
    return [scope for scope in requested.split() if _may_have(scope, registered)]


def _may_have(scope: str, registered: Sequence[str]) -> bool:
    wanted = interactions(scope)
    if wanted is None:
        return False
    if not registered:
        return wanted[0] != WILDCARD
    return any(_covers(interactions(own), wanted) for own in registered)


def _covers(own: tuple[str, str] | None, wanted: tuple[str, str]) -> bool:
    if own is None or own[0] not in (WILDCARD, wanted[0]):
        return False
    return set(wanted[1]) <= set(own[1])


def unenforceable(scopes: Iterable[str]) -> list[str]:
    """Those of `scopes` the gateway could not enforce (refused at registration)."""
    return [scope for scope in scopes if interactions(scope) is None]


def allows(scopes: Iterable[str], resource: str, interaction: str) -> bool:
    """Whether granted scopes permit an interaction letter (c r u d s) on a resource type."""
    for scope in scopes:
        parsed = interactions(scope)
        if parsed and parsed[0] in (WILDCARD, resource) and interaction in parsed[1]:
            return True
    return False
