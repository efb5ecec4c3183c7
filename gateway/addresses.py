"""The client's address as limits and audit read it, behind HAProxy or nginx too.

Behind a proxy the TCP peer is the proxy: every person would share one sign-in budget. A
proxy appends the address it received the request from to X-Forwarded-For, so only the
entries added by proxies we trust are true; anything to their left may be the client's
own invention. Hence: only when the peer is one of AMO_TRUSTED_PROXIES, walk the header
from the right past our own proxies, and take the first address they did not write
(the right-most untrusted entry). With no trusted proxy (the default) the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


class ProxyListInvalid(ValueError):
    """An entry of AMO_TRUSTED_PROXIES is neither an IP address nor a network."""


@lru_cache(maxsize=8)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    """The networks of a comma-separated list of IP addresses and CIDR networks."""
    found = []
    for entry in (part.strip() for part in setting.split(",")):
        if not entry:
            continue
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ProxyListInvalid(entry) from exc
    return tuple(found)


def proxy_problems(setting: str) -> list[str]:
    """What is wrong with an AMO_TRUSTED_PROXIES value, for the settings' check."""
    try:
        trusted_networks(setting)
    except ProxyListInvalid:
        return ["AMO_TRUSTED_PROXIES : une entrée n'est ni une adresse IP ni un réseau / an entry "
                "is neither an IP address nor a network"]  # fmt: skip
    return []


def client_address(peer: str, forwarded_for: Iterable[str], trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the
    right-most X-Forwarded-For entry no trusted proxy wrote (every header line, in order)."""
    if not _trusted(peer, trusted):
        return peer
    entries = [e.strip() for line in forwarded_for for e in line.split(",") if e.strip()]
    nearest = peer
    for entry in reversed(entries):
        if _address(entry) is None:
            return nearest  # garbage written by the client: the last proxy's view stands
        if not _trusted(entry, trusted):
            return entry
        nearest = entry
    return nearest  # every hop is ours: the left-most is the nearest to the client


def address_of(request: Request) -> str:
    """The client's address of a request, by the app's AMO_TRUSTED_PROXIES."""
    peer = request.client.host if request.client else UNKNOWN
    trusted = trusted_networks(request.app.state.settings.trusted_proxies)
    return client_address(peer, request.headers.getlist("x-forwarded-for"), trusted)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(text: str, trusted: tuple[Network, ...]) -> bool:
    found = _address(text)
    return found is not None and any(found in network for network in trusted)
