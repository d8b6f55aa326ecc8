"""REDIS_URL names the topology: one node, a Sentinel master or a Cluster."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from shared_domain.common.redis_url import RedisUrlError, parse_redis_url, rq_connection


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "rediss://:secret@redis.example.com:6380/2"]
)
def test_a_plain_url_is_a_single_node(url):
    topology = parse_redis_url(url)
    assert (topology.kind, topology.url) == ("single", url)


def test_a_sentinel_url_lists_sentinels_service_and_db():
    topology = parse_redis_url(
        "redis+sentinel://app:p%40ss@10.0.0.1:26379,10.0.0.2:26379/mymaster/3"
        "?sentinel_password=watch"
    )
    assert topology.kind == "sentinel"
    assert topology.nodes == (("10.0.0.1", 26379), ("10.0.0.2", 26379))
    assert (topology.service_name, topology.db) == ("mymaster", 3)
    assert topology.credentials == {"username": "app", "password": "p@ss"}
    assert topology.sentinel_password == "watch"


def test_a_sentinel_url_without_db_uses_db_0_and_tls_scheme_sets_ssl():
    topology = parse_redis_url("rediss+sentinel://:pw@s1:26379/mymaster")
    assert (topology.db, topology.ssl, topology.password, topology.username) == (
        0,
        True,
        "pw",
        None,
    )


def test_a_cluster_url_lists_its_startup_nodes():
    topology = parse_redis_url("redis+cluster://:pw@n1:7000,n2:7001,n3:7002")
    assert topology.kind == "cluster"
    assert topology.nodes == (("n1", 7000), ("n2", 7001), ("n3", 7002))
    assert topology.password == "pw"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("memcached://m:11211", "use redis://"),
        ("redis+sentinel://s1:26379", "/service_name[/db]"),
        ("redis+sentinel://s1:26379/mymaster/x", "/service_name[/db]"),
        ("redis+cluster://n1:7000/1", "database 0 only"),
        ("redis+cluster://n1", "host:port"),
    ],
)
def test_malformed_urls_are_refused_with_the_reason(url, message):
    with pytest.raises(RedisUrlError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_redis_url(url)


def test_refusals_never_echo_the_password():
    with pytest.raises(RedisUrlError) as error:
        parse_redis_url("redis+cluster://app:hunter2@n1:7000/5")
    assert "hunter2" not in str(error.value)


def test_rq_on_a_sentinel_url_gets_django_rq_sentinel_settings():
    config = rq_connection("redis+sentinel://:pw@s1:26379,s2:26379/mymaster/2", socket_timeout=1.5)
    assert config["SENTINELS"] == [("s1", 26379), ("s2", 26379)]
    assert (config["MASTER_NAME"], config["DB"], config["PASSWORD"]) == ("mymaster", 2, "pw")
    assert config["SOCKET_TIMEOUT"] == 1.5


def test_rq_on_a_single_node_keeps_the_url():
    assert rq_connection("redis://r:6379/1", socket_timeout=1.0) == {"URL": "redis://r:6379/1"}


def test_rq_refuses_a_cluster():
    with pytest.raises(RedisUrlError, match="RQ does not support"):
        rq_connection("redis+cluster://n1:7000", socket_timeout=1.0)


def _settings_error(**env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "worker_service.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    return result.stderr


def test_settings_refuse_the_rq_backend_on_a_cluster():
    stderr = _settings_error(TASKS_BACKEND="rq", REDIS_URL="redis+cluster://127.0.0.1:7000")
    assert "ImproperlyConfigured" in stderr
    assert "RQ does not support" in stderr


def test_settings_refuse_an_unknown_redis_url():
    stderr = _settings_error(REDIS_URL="memcached://127.0.0.1:11211")
    assert "ImproperlyConfigured: REDIS_URL" in stderr
