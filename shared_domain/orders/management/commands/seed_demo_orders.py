"""Demo orders for the demo customer (after `seed_demo`): a cart with two items and
orders in several states (awaiting payment, paid, shipped, delivered, cancelled),
placed and moved through the real services. Development only; does nothing when the
customer already has orders."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shared_domain.accounts.selectors import store_owner, user_get_by_email
from shared_domain.catalog.selectors import variant_ids_on_sale
from shared_domain.orders import services
from shared_domain.orders.selectors import order_page_for_customer, vendor_ids_of_order

CUSTOMER = "customer@fashionistar.example"
ADDRESS = {
    "name": "Ada Obi",
    "line1": "12 Marina Road",
    "city": "Lagos",
    "state": "Lagos",
    "country": "NG",
    "phone": "+234 803 123 4567",
}


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo_orders refuses to run with APP_ENV=production")
        customer = user_get_by_email(email=CUSTOMER)
        if customer is None:
            # A database seeded otherwise (make run on an existing DATABASE_URL).
            self.stdout.write(f"No {CUSTOMER} (seed_demo loads it); demo orders not loaded.")
            return
        if order_page_for_customer(customer=customer, page_size=1).items:
            self.stdout.write("The demo customer has orders; demo orders not loaded.")
            return
        variants = variant_ids_on_sale(currency="NGN", limit=12)
        if len(variants) < 12:
            self.stdout.write("Fewer than 12 products in stock; demo orders not loaded.")
            return
        placed = []
        for n in range(5):
            order = services.order_place(
                customer=customer,
                idempotency_key=f"demo-order-{n}",
                shipping_address=ADDRESS,
                items=[{"variant_id": v, "quantity": 1} for v in variants[2 * n : 2 * n + 2]],
            )
            placed.append(order.order_id)
        _awaiting_payment, paid, shipped, delivered, cancelled = placed
        for order_id in (paid, shipped, delivered):
            services.order_mark_paid(order_id=order_id)
        services.order_cancel(customer=customer, order_id=cancelled)
        self._fulfil(shipped, deliver=False)
        self._fulfil(delivered, deliver=True)
        for variant_id in variants[10:12]:
            services.cart_item_add(customer=customer, variant_id=variant_id, quantity=1)
        self.stdout.write(
            f"Demo orders for {CUSTOMER}: awaiting payment, paid, shipped, delivered and "
            "cancelled, and a cart with two items."
        )

    def _fulfil(self, order_id: int, *, deliver: bool) -> None:
        for vendor_id, part_id in vendor_ids_of_order(order_id=order_id):
            vendor = store_owner(vendor_id=vendor_id)
            services.vendor_order_ship(
                vendor=vendor,
                vendor_order_id=part_id,
                carrier="local",
                tracking_number=f"DEMO-{part_id}",
            )
            if deliver:
                services.vendor_order_deliver(vendor=vendor, vendor_order_id=part_id)
