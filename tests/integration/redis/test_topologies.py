"""The throttle, cache, live order events, health checks and RQ on real Redis
topologies: a Sentinel-managed master (with a failover) and a three-master Cluster."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import caches

from shared_domain.common.health import acheck_redis, check_redis
from shared_domain.common.redis import get_redis, redis_client, reset_clients
from shared_domain.common.redis_cache import reset_cache_clients
from shared_domain.common.redis_url import rq_connection
from shared_domain.orders.live import order_event_publish, order_events_follow
from shared_domain.orders.models import OrderStatusChange
from shared_domain.web import throttling
from tests.factories import CustomerFactory, make_order
from tests.redis_servers import (
    SERVICE,
    ClusterSetup,
    SentinelSetup,
    cluster_setup,
    missing_binaries,
    sentinel_setup,
    wait_for,
)

_missing = missing_binaries()
pytestmark = pytest.mark.skipif(_missing is not None, reason=f"no Redis topologies: {_missing}")

TOPOLOGIES = ["sentinel", "cluster"]


@pytest.fixture(scope="module")
def sentinel(tmp_path_factory) -> Iterator[SentinelSetup]:
    with sentinel_setup(tmp_path_factory.mktemp("sentinel")) as setup:
        yield setup


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[ClusterSetup]:
    with cluster_setup(tmp_path_factory.mktemp("cluster")) as setup:
        yield setup


def _flush(client: Any, kind: str) -> None:
    if kind == "cluster":
        client.flushdb(target_nodes="primaries")
    else:
        client.flushdb()


@pytest.fixture(params=TOPOLOGIES)
def topology(request, settings) -> Iterator[tuple[str, str, Any]]:
    """Point REDIS_URL (and the cache) at the topology; yields (kind, url, client)."""
    kind = request.param
    url = request.getfixturevalue(kind).url
    settings.REDIS_URL = url
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    reset_clients()
    reset_cache_clients()
    client = redis_client(url, socket_timeout=2)
    _flush(client, kind)
    yield kind, url, client
    _flush(client, kind)
    client.close()
    reset_clients()
    reset_cache_clients()


def test_throttle_counts_and_refuses_over_the_limit(topology, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "2/minute"}
    decisions = [throttling.hit("anon", "203.0.113.9") for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert 0 < decisions[2].retry_after <= 60


async def test_async_throttle_shares_the_counters(topology, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "2/minute"}
    assert (await sync_to_async(throttling.hit)("anon", "203.0.113.10")).allowed
    assert (await throttling.ahit("anon", "203.0.113.10")).allowed
    assert not (await throttling.ahit("anon", "203.0.113.10")).allowed


def test_cache_single_and_many_key_operations(topology):
    kind, _, client = topology
    cache = caches["default"]
    cache.set("facets:shoes", {"S": 3}, 30)
    assert cache.get("facets:shoes") == {"S": 3}
    data = {f"product:{n}": n * 10 for n in range(12)}
    cache.set_many(data, 30)
    assert cache.get_many(list(data)) == data
    assert cache.incr("product:1", 5) == 15
    cache.delete_many(["product:2", "product:3"])
    assert cache.get_many(["product:2", "product:3", "product:4"]) == {"product:4": 40}
    if kind == "cluster":
        # The keys really are spread over the cluster: MGET/MSET alone would fail.
        slots = {client.keyslot(cache.make_key(key)) for key in data}
        assert len(slots) > 1
    cache.clear()
    assert cache.get("facets:shoes") is None


def test_throttle_keys_of_one_client_share_a_slot_on_the_cluster(cluster, settings):
    settings.REDIS_URL = cluster.url
    rate = throttling.Rate(limit=5, period=60)
    now = time.time()
    windows = [throttling._key("login", "198.51.100.7", rate, now + n * 60) for n in range(3)]
    node = redis_client(f"redis://127.0.0.1:{cluster.ports[0]}/0")
    slots = {node.cluster("KEYSLOT", key) for key in windows}
    other = node.cluster("KEYSLOT", throttling._key("login", "198.51.100.8", rate, now))
    node.close()
    assert len(set(windows)) == 3
    assert len(slots) == 1
    assert other not in slots  # tags are per client, not one hot slot for all
    # A script over several windows runs on the cluster without CROSSSLOT.
    client = redis_client(cluster.url)
    client.set(windows[0], 2)
    total = client.eval(
        "return (tonumber(redis.call('GET', KEYS[1])) or 0)"
        " + (tonumber(redis.call('GET', KEYS[2])) or 0)",
        2,
        windows[0],
        windows[1],
    )
    client.delete(windows[0])
    client.close()
    assert total == 2


def test_readiness_checks_redis_on_the_topology(topology):
    assert check_redis() == "ok"
    assert asyncio.run(acheck_redis()) == "ok"


def _order_with_history() -> tuple[Any, Any]:
    customer = CustomerFactory.create()
    order = make_order(customer, status="paid")
    OrderStatusChange.objects.create(order=order, from_status="", to_status="pending_payment")
    OrderStatusChange.objects.create(order=order, from_status="pending_payment", to_status="paid")
    return customer, order


@sync_to_async
def _ship(order: Any) -> int:
    change = OrderStatusChange.objects.create(order=order, from_status="paid", to_status="shipped")
    order_event_publish(change_id=change.pk)
    return change.pk


@pytest.mark.django_db(transaction=True)
async def test_a_live_order_event_reaches_its_subscriber(topology):
    customer, order = await sync_to_async(_order_with_history)()
    stream = order_events_follow(customer=customer, order_id=order.pk, heartbeat=30)
    try:
        current = await asyncio.wait_for(anext(stream), 5)
        assert current is not None
        assert current.to_status == "paid"
        shipped_id = await _ship(order)
        event = await asyncio.wait_for(anext(stream), 5)
    finally:
        await stream.aclose()
    assert event is not None
    assert (event.id, event.to_status) == (shipped_id, "shipped")


def test_rq_uses_the_sentinel_master(sentinel):
    from django_rq.connection_utils import get_redis_connection

    connection = get_redis_connection(rq_connection(sentinel.url, socket_timeout=2))
    connection.set("rq:probe", "1")
    pool: Any = connection.connection_pool  # a SentinelConnectionPool
    master_port = int(pool.get_master_address()[1])
    connection.close()
    master = redis_client(f"redis://127.0.0.1:{master_port}/0")
    assert master.role()[0] == b"master"
    assert master.get("rq:probe") == b"1"
    master.delete("rq:probe")
    master.close()


def test_sentinel_failover_keeps_the_clients_working(sentinel, settings):
    settings.REDIS_URL = sentinel.url
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "100/minute"}
    reset_clients()
    watcher = redis_client(f"redis://127.0.0.1:{sentinel.sentinel_port}/0")
    before = int(watcher.sentinel_get_master_addr_by_name(SERVICE)[1])
    assert throttling.hit("anon", "192.0.2.1").allowed
    get_redis().set("before-failover", "1")

    watcher.execute_command("SENTINEL", "FAILOVER", SERVICE)
    wait_for(
        lambda: int(watcher.sentinel_get_master_addr_by_name(SERVICE)[1]) != before,
        timeout=20,
        what="the sentinel to promote the replica",
    )
    after = int(watcher.sentinel_get_master_addr_by_name(SERVICE)[1])
    watcher.close()
    demoted = redis_client(f"redis://127.0.0.1:{before}/0")
    wait_for(
        lambda: demoted.role()[0] == b"slave",
        timeout=20,
        what="the sentinel to turn the old master into a replica",
    )
    demoted.close()

    # The process-wide client still holds connections to the old master: its write
    # there is refused (READONLY), and the client reconnects to the master the
    # sentinel names now.
    wait_for(
        lambda: bool(get_redis().set("after-failover", "1")),
        timeout=10,
        what="a write on the new master",
    )
    new_master = redis_client(f"redis://127.0.0.1:{after}/0")
    assert new_master.get("after-failover") == b"1"
    assert new_master.get("before-failover") == b"1"  # replicated before the switch
    new_master.close()
    assert throttling.hit("anon", "192.0.2.1").allowed
    assert check_redis() == "ok"
    reset_clients()
