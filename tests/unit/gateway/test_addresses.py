"""The client's address behind our proxies: X-Forwarded-For read only from them, from the
right, so that entries a client writes itself change nothing."""

from __future__ import annotations

import pytest

from gateway.addresses import ProxyListInvalid, client_address, proxy_problems, trusted_networks
from gateway.settings import ConfigurationError, Settings

PROXIES = trusted_networks("10.0.0.5, 10.1.0.0/16,fd00::/8")


class TestTrustedNetworks:
    def test_addresses_and_networks_are_read_empty_entries_skipped(self) -> None:
        assert [str(n) for n in trusted_networks(" 10.0.0.5 ,,10.1.0.0/16")] == [
            "10.0.0.5/32",
            "10.1.0.0/16",
        ]
        assert trusted_networks("") == ()

    def test_anything_else_is_refused_at_start(self) -> None:
        with pytest.raises(ProxyListInvalid):
            trusted_networks("10.0.0.5,proxy.local")
        assert proxy_problems("10.0.0.300")
        assert proxy_problems("10.0.0.0/8") == []
        with pytest.raises(ConfigurationError, match="AMO_TRUSTED_PROXIES"):
            Settings(trusted_proxies="nginx").check()


class TestClientAddress:
    def test_without_trusted_proxies_the_header_is_ignored(self) -> None:
        assert client_address("203.0.113.9", ["198.51.100.1"], ()) == "203.0.113.9"

    def test_a_peer_that_is_not_our_proxy_is_the_client(self) -> None:
        assert client_address("203.0.113.9", ["198.51.100.1"], PROXIES) == "203.0.113.9"

    def test_behind_our_proxy_the_address_it_received_from_is_the_client(self) -> None:
        assert client_address("10.0.0.5", ["198.51.100.7"], PROXIES) == "198.51.100.7"

    def test_spoofed_leftmost_entries_are_ignored(self) -> None:
        forged = ["1.1.1.1, 2.2.2.2, 198.51.100.7"]  # the client wrote the first two
        assert client_address("10.0.0.5", forged, PROXIES) == "198.51.100.7"

    def test_our_proxies_chained_are_walked_past(self) -> None:
        chain = ["6.6.6.6, 198.51.100.7, 10.1.4.2"]  # nginx (10.1.4.2) behind HAProxy
        assert client_address("10.0.0.5", chain, PROXIES) == "198.51.100.7"

    def test_several_header_lines_read_as_one_list(self) -> None:
        lines = ["6.6.6.6", "198.51.100.7, 10.1.4.2"]
        assert client_address("10.0.0.5", lines, PROXIES) == "198.51.100.7"

    def test_ipv6_entries(self) -> None:
        assert client_address("fd00::1", ["2001:db8::7"], PROXIES) == "2001:db8::7"

    def test_garbage_left_of_our_proxies_leaves_the_nearest_proxy_s_address(self) -> None:
        assert client_address("10.0.0.5", ["not-an-ip, 10.1.4.2"], PROXIES) == "10.1.4.2"

    def test_no_header_from_our_proxy_is_the_proxy_itself(self) -> None:
        assert client_address("10.0.0.5", [], PROXIES) == "10.0.0.5"
