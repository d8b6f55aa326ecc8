"""Nightly vendor summaries: one email per vendor with sales that day, from the
rollups, never twice for the same vendor and day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from shared_domain.analytics.tasks import send_vendor_summaries
from shared_domain.schedule import SCHEDULE
from tests.factories import CustomerFactory
from tests.integration.analytics.conftest import place, sandbox, settle
from tests.taskrunner import run_tasks

__all__ = ["sandbox"]

pytestmark = pytest.mark.django_db


def test_each_vendor_with_sales_gets_one_summary_even_if_the_job_runs_twice(
    shop, sandbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # Ada sells two dresses; Eko's shirt is only ordered (unpaid: no sale).
        settle(sandbox, place(shop, CustomerFactory.create(), ("DR-RED-M", 2), key="a"))
        place(shop, CustomerFactory.create(), ("LS-BLU-L", 1), key="b")
    run_tasks()
    mail.outbox.clear()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    for _ in range(2):
        send_vendor_summaries.enqueue(day=today)
        run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [shop["ada"].email]
    assert "sales on" in message.subject
    assert "50000.00" in message.body
    assert "Ankara Maxi Dress" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    content, mime = message.alternatives[0]
    html = str(content)
    assert mime == "text/html"
    assert "<strong>" in html
    assert "50000.00" in html


def test_the_default_day_is_yesterday_and_the_job_is_scheduled(
    shop, sandbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        settle(sandbox, place(shop, CustomerFactory.create(), ("DR-RED-M", 1), key="a"))
    run_tasks()
    mail.outbox.clear()
    send_vendor_summaries.enqueue()  # yesterday: today's sale is not in it
    run_tasks()
    assert mail.outbox == []
    [job] = [j for j in SCHEDULE if j.task.endswith("send_vendor_summaries")]
    assert job.cron == "0 1 * * *"
