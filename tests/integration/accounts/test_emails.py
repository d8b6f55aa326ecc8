"""Codes leave by email, from a task on the `emails` queue enqueued after commit."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import transaction

from shared_domain.accounts import services
from shared_domain.accounts.errors import InvalidCode
from shared_domain.common.queues import queue_depths
from tests.factories import PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _code(message) -> str:
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, message.body
    return found.group(1)


def test_registration_emails_a_code_that_verifies_the_account(run_tasks):
    services.user_register(
        email="ada@example.com", password=PASSWORD, full_name="Ada Obi", role="customer"
    )
    assert queue_depths()["emails"] == 1
    assert mail.outbox == []  # nothing is sent inside the request
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert "verification code" in message.subject
    code = _code(message)
    assert code in message.subject
    assert "Hello Ada Obi" in message.body
    assert "expires in 10 minutes" in message.body
    html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert code in html
    assert services.email_verify(email="ada@example.com", code=code).email_verified


def test_a_rolled_back_registration_sends_nothing(run_tasks):
    def register_then_fail():
        with transaction.atomic():
            services.user_register(
                email="ada@example.com", password=PASSWORD, full_name="Ada", role="customer"
            )
            raise RuntimeError("something later in the request failed")

    with pytest.raises(RuntimeError):
        register_then_fail()
    run_tasks()
    assert mail.outbox == []
    assert sum(queue_depths().values()) == 0


def test_resend_sends_a_new_code_and_the_old_one_stops_working(run_tasks):
    user = CustomerFactory.create(email_verified=False)
    services.verification_code_resend(email=user.email)
    run_tasks()
    services.verification_code_resend(email=user.email)
    run_tasks()
    first, second = (_code(m) for m in mail.outbox)
    if first != second:
        with pytest.raises(InvalidCode):
            services.email_verify(email=user.email, code=first)
    assert services.email_verify(email=user.email, code=second).email_verified


def test_resend_for_verified_or_unknown_accounts_sends_nothing(run_tasks):
    services.verification_code_resend(email=CustomerFactory.create(email_verified=True).email)
    services.verification_code_resend(email="ghost@example.com")
    run_tasks()
    assert mail.outbox == []


def test_password_reset_code_by_email_then_a_notice(run_tasks):
    user = CustomerFactory.create()
    services.password_reset_request(email=user.email)
    run_tasks()
    assert "password reset code" in mail.outbox[0].subject
    services.password_reset_confirm(
        email=user.email, code=_code(mail.outbox[0]), new_password="Brand-New-Pass-77"
    )
    run_tasks()
    notice = mail.outbox[1]
    assert notice.subject == "Your Fashionistar password was changed"
    assert "reset with an emailed code" in notice.body
