"""Signed rest-hook delivery (Standard Webhooks) without letting an endpoint reach inside.

Each notification is POSTed with the Standard Webhooks headers (webhook-id, webhook-timestamp,
webhook-signature: HMAC-SHA256 with the endpoint's whsec_ secret, by the `standardwebhooks`
package), within a timeout, following no redirect. The endpoint's name is resolved here and
every address it resolves to is checked: loopback, private, link-local, shared, reserved,
multicast and unspecified addresses are refused unless private networks are allowed (tests
on 127.0.0.1). The connection then goes to the very address that was checked (the Host header
and the TLS server name keep the endpoint's name), so that a second DNS answer cannot send it
elsewhere (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import httpx
from standardwebhooks import Webhook

from domain.subscriptions import Delivery

SECRET_BYTES = 32  # Standard Webhooks: a secret of 24 to 64 random bytes
SECRET_PREFIX = "whsec_"
USER_AGENT = "amo-gateway-webhooks/1"
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


class RefusedEndpoint(Exception):
    """An endpoint the gateway will not POST to; the message says why (no patient data)."""


def new_secret() -> str:
    """A fresh Standard Webhooks signing secret: whsec_ then base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def url_problem(url: str, *, allow_http: bool) -> str | None:
    """Why a URL cannot be registered as an endpoint (None: it can), in French."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a port out of range)
    except ValueError:
        return "URL illisible"
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        return "https:// est exigé" if not allow_http else "http:// ou https:// est exigé"
    if not parts.hostname:
        return "l'URL ne nomme aucun hôte"
    if parts.username or parts.password:
        return "l'URL ne doit pas porter d'identifiants (user:password@)"
    if parts.fragment:
        return "l'URL ne doit pas porter de fragment (#...)"
    return None


def address_problem(address: Address, *, allow_private: bool) -> str | None:
    """Why the gateway will not connect to an address (None: it may)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified or address.is_multicast:
        return "adresse non routable"
    if address.is_global:
        return None
    if allow_private:
        return None
    return "adresse privée, locale ou réservée refusée"


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """Every address the system resolver gives for a host."""
    loop = asyncio.get_running_loop()
    found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in found]


class WebhookSender:
    """domain.subscription_ports.WebhookSender over an httpx client made (and closed) by the
    caller."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        timeout: float,
        allow_private: bool,
        resolver: Resolver = system_resolver,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._timeout = timeout
        self._allow_private = allow_private
        self._resolve = resolver
        self._clock = clock

    async def send(self, delivery: Delivery, body: bytes) -> str | None:
        """POST the signed notification; None on a 2xx, else why it failed."""
        try:
            async with asyncio.timeout(self._timeout):  # the whole attempt, not each read
                request = await self._request(delivery, body)
                response = await self._client.send(request, stream=True, follow_redirects=False)
                await response.aclose()  # the body is not read: nothing of it is kept
        except RefusedEndpoint as exc:
            return str(exc)
        except (httpx.TimeoutException, TimeoutError):
            return "délai dépassé"
        except httpx.HTTPError as exc:
            return f"échec de connexion ({type(exc).__name__})"
        if 200 <= response.status_code < 300:
            return None
        if 300 <= response.status_code < 400:
            return f"HTTP {response.status_code} (redirection non suivie)"
        return f"HTTP {response.status_code}"

    async def _request(self, delivery: Delivery, body: bytes) -> httpx.Request:
        parts = urlsplit(delivery.url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = await self._checked_address(host, port)
        netloc = f"[{address}]" if address.version == 6 else str(address)
        target = urlunsplit((parts.scheme, f"{netloc}:{port}", parts.path or "/", parts.query, ""))
        now = self._clock()
        signature = Webhook(delivery.secret).sign(delivery.id, now, body.decode())
        headers = {
            "Host": parts.netloc.rpartition("@")[2],
            "Content-Type": "application/fhir+json",
            "User-Agent": USER_AGENT,
            "webhook-id": delivery.id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }
        extensions = {"timeout": httpx.Timeout(self._timeout).as_dict()}
        if parts.scheme == "https":
            extensions["sni_hostname"] = host  # the certificate is checked against the name
        return httpx.Request("POST", target, headers=headers, content=body, extensions=extensions)

    async def _checked_address(self, host: str, port: int) -> Address:
        try:
            found = await self._resolve(host, port)
        except OSError as exc:
            raise RefusedEndpoint("nom d'hôte introuvable (DNS)") from exc
        addresses = [ipaddress.ip_address(a.split("%")[0]) for a in found]
        if not addresses:
            raise RefusedEndpoint("nom d'hôte introuvable (DNS)")
        for address in addresses:  # one bad address: the name may point inside at any time
            problem = address_problem(address, allow_private=self._allow_private)
            if problem:
                raise RefusedEndpoint(problem)
        return addresses[0]
