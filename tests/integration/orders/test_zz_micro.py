import cProfile
import pstats
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_domain.inventory.services import stock_set
from shared_domain.orders import services
from tests.integration.orders_api import ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)


def test_micro(shop, customer):
    v = shop["variants"]
    for sku in v:
        stock_set(variant_id=v[sku].pk, quantity=100000)
    items = [{"variant_id": v["DR-RED-M"].pk, "quantity": 1}, {"variant_id": v["LS-BLU-L"].pk, "quantity": 1}]

    def one(n):
        services.order_place(customer=customer, idempotency_key=f"k{n}", shipping_address=ADDRESS, items=items)

    for n in range(50):
        one(n)
    with CaptureQueriesContext(connection) as q:
        one(99999)
    print("QUERIES", len(q))
    N = 400
    t0 = time.process_time(); w0 = time.perf_counter()
    for n in range(100, 100 + N):
        one(n)
    print(f"CPU per order {(time.process_time() - t0) / N * 1000:.2f} ms, wall {(time.perf_counter() - w0) / N * 1000:.2f} ms")
    prof = cProfile.Profile()
    prof.enable()
    for n in range(1000, 1200):
        one(n)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(30)
