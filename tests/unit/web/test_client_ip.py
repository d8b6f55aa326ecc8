"""Which address the request context (and so rate limits and the audit log) takes as
the client's."""

import pytest
from django.test import RequestFactory

from shared_domain.web.middleware import client_ip


@pytest.mark.parametrize(
    ("forwarded", "trusted", "peer", "expected"),
    [
        (None, 1, "10.0.0.5", "10.0.0.5"),
        ("203.0.113.7", 1, "10.0.0.5", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", 1, "10.0.0.5", "203.0.113.7"),  # a spoofed first hop
        # two proxies: the load balancer's private address, then the client
        ("198.51.100.1, 10.0.0.7", 2, "10.0.0.5", "198.51.100.1"),
        # a count higher than the real proxies: the walk stops at the first address
        # not a proxy's, the one the last proxy saw, not the spoofed one
        ("198.51.100.1, 203.0.113.7", 2, "10.0.0.5", "203.0.113.7"),
        ("10.9.9.9, 198.51.100.1, 203.0.113.7", 3, "10.0.0.5", "203.0.113.7"),
        # a proxy count but no proxy in front: the peer's own header is not believed
        ("198.51.100.1", 1, "203.0.113.50", "203.0.113.50"),
        ("203.0.113.7", 0, "10.0.0.5", "10.0.0.5"),  # no proxy trusted: the peer
        ("not-an-ip", 1, "10.0.0.5", "10.0.0.5"),
    ],
)
def test_client_ip_behind_trusted_proxies(settings, forwarded, trusted, peer, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=peer, **headers)
    assert client_ip(request) == expected


def test_trusted_proxy_networks_are_a_setting(settings):
    settings.TRUSTED_PROXY_NETWORKS = ("203.0.113.0/24",)
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert client_ip(request) == "198.51.100.1"
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"
