"""Webhook delivery: which addresses are refused, and what a signed request looks like."""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import httpx
import pytest
from standardwebhooks import Webhook

from adapters.webhooks import Resolver, WebhookSender, address_problem, new_secret, url_problem
from domain.notifications import Topic
from domain.records import Notification
from domain.subscriptions import Delivery

pytestmark = pytest.mark.anyio
SECRET = new_secret()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "10.1.2.3",  # private
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # link-local: cloud metadata
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "240.0.0.1",  # reserved
        "::1",
        "fe80::1",
        "fc00::1",  # unique local
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:10.0.0.1",
    ],
)
class TestPrivateAddresses:
    def test_are_refused(self, address: str) -> None:
        assert address_problem(ipaddress.ip_address(address), allow_private=False)

    def test_are_allowed_when_private_networks_are(self, address: str) -> None:
        assert address_problem(ipaddress.ip_address(address), allow_private=True) is None


class TestOtherAddresses:
    @pytest.mark.parametrize("address", ["0.0.0.0", "224.0.0.1", "::", "ff02::1"])
    def test_unspecified_and_multicast_are_always_refused(self, address: str) -> None:
        assert address_problem(ipaddress.ip_address(address), allow_private=True)

    @pytest.mark.parametrize("address", ["196.200.1.1", "8.8.8.8", "2a00:1450::1"])
    def test_public_ones_are_allowed(self, address: str) -> None:
        assert address_problem(ipaddress.ip_address(address), allow_private=False) is None


class TestUrlProblem:
    def test_https_is_required(self) -> None:
        assert url_problem("http://hooks.example/", allow_http=False)
        assert url_problem("https://hooks.example/", allow_http=False) is None

    def test_http_only_when_allowed(self) -> None:
        assert url_problem("http://127.0.0.1:9000/h", allow_http=True) is None
        assert url_problem("ftp://hooks.example/", allow_http=True)

    @pytest.mark.parametrize(
        "url",
        [
            "https://user:pw@hooks.example/",
            "https:///path",
            "https://h.example/#x",
            "https://h:99999/",
        ],
    )
    def test_credentials_fragments_and_nonsense_are_refused(self, url: str) -> None:
        assert url_problem(url, allow_http=False)


def delivery(url: str) -> Delivery:
    event = Notification(
        "ev-1", "org-1", Topic.PA_DECIDED.value, "ClaimResponse/1", datetime.now(UTC)
    )
    return Delivery("msg_abc", event, "sub-1", 1, 1, url, SECRET, 1)


def resolving(*addresses: str) -> Resolver:
    async def resolve(host: str, port: int) -> Sequence[str]:
        return addresses

    return resolve


Handler = Callable[[httpx.Request], httpx.Response]


def sender(handler: Handler, *addresses: str, allow_private: bool = False) -> WebhookSender:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return WebhookSender(
        client, timeout=5.0, allow_private=allow_private, resolver=resolving(*addresses)
    )


class TestWebhookSender:
    async def test_it_connects_to_the_checked_address_and_signs(self) -> None:
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(204)

        body = b'{"resourceType":"Bundle"}'
        error = await sender(handler, "93.184.216.34").send(
            delivery("https://hooks.example:8443/amo?x=1"), body
        )
        assert error is None
        request = seen[0]
        assert (request.url.host, request.url.port, request.url.path) == (
            "93.184.216.34",
            8443,
            "/amo",
        )
        assert request.headers["host"] == "hooks.example:8443"
        assert request.extensions["sni_hostname"] == "hooks.example"
        assert request.headers["webhook-id"] == "msg_abc"
        assert Webhook(SECRET).verify(request.content, dict(request.headers)) == {
            "resourceType": "Bundle"
        }

    async def test_a_name_resolving_inside_is_refused_before_any_connection(self) -> None:
        calls: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            calls.append(request)
            return httpx.Response(200)

        error = await sender(handler, "93.184.216.34", "10.0.0.5").send(
            delivery("https://hooks.example/"), b"{}"
        )
        assert error == "adresse privée, locale ou réservée refusée"
        assert calls == []

    async def test_loopback_is_reached_when_private_networks_are_allowed(self) -> None:
        error = await sender(lambda r: httpx.Response(200), "127.0.0.1", allow_private=True).send(
            delivery("http://localhost:9000/h"), b"{}"
        )
        assert error is None

    @pytest.mark.parametrize(
        ("status", "expected"), [(500, "HTTP 500"), (302, "HTTP 302 (redirection non suivie)")]
    )
    async def test_a_non_2xx_answer_is_a_failure(self, status: int, expected: str) -> None:
        answer = httpx.Response(status, headers={"Location": "https://elsewhere.example/"})
        error = await sender(lambda r: answer, "93.184.216.34").send(
            delivery("https://hooks.example/"), b"{}"
        )
        assert error == expected

    async def test_a_connection_failure_names_its_kind_only(self) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        error = await sender(handler, "93.184.216.34").send(
            delivery("https://hooks.example/"), b"{}"
        )
        assert error == "échec de connexion (ConnectError)"

    async def test_an_unknown_name_is_a_failure(self) -> None:
        async def unknown(host: str, port: int) -> Sequence[str]:
            raise OSError("Name or service not known")

        client = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
        webhook = WebhookSender(client, timeout=5.0, allow_private=False, resolver=unknown)
        assert (
            await webhook.send(delivery("https://nowhere.example/"), b"{}")
            == "nom d'hôte introuvable (DNS)"
        )


class TestSecret:
    def test_is_a_standard_webhooks_secret_of_32_bytes(self) -> None:
        secret = new_secret()
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
        assert new_secret() != secret
