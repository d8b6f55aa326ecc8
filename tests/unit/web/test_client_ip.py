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
        ("198.51.100.1, 203.0.113.7", 2, "10.0.0.5", "198.51.100.1"),
        ("203.0.113.7", 0, "10.0.0.5", "10.0.0.5"),  # no proxy trusted: the peer
        ("not-an-ip", 1, "10.0.0.5", "10.0.0.5"),
    ],
)
def test_client_ip_behind_trusted_proxies(settings, forwarded, trusted, peer, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=peer, **headers)
    assert client_ip(request) == expected
