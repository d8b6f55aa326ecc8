"""The order confirmation goes out once, by a task, after the order commits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from shared_domain.orders import services
from tests.integration.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_order_confirmation_is_emailed_once(shop, customer, run_tasks):
    with transaction.atomic():
        placed = services.order_place(
            customer=customer, idempotency_key="mail", shipping_address=ADDRESS,
            items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 2}],
        )  # fmt: skip
        assert mail.outbox == []
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [customer.email]
    assert "is placed" in message.subject
    assert "Ankara Maxi Dress" in message.body
    assert "50000.00 NGN" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert "<strong>50000.00 NGN</strong>" in html

    # A second delivery of the same task (at-least-once) sends nothing more.
    from shared_domain.orders.tasks import deliver_order_confirmation

    deliver_order_confirmation.enqueue(order_id=placed.order_id)
    run_tasks()
    assert len(mail.outbox) == 1
