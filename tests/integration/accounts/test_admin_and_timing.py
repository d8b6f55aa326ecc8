"""Staff edits through the admin are audited; sign-in timing does not reveal accounts;
housekeeping of credentials; client address behind proxies."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from shared_domain.accounts import services
from shared_domain.accounts.errors import InvalidCredentials
from shared_domain.accounts.models import OneTimeCode, RefreshToken, User, VendorProfile
from shared_domain.accounts.tasks import prune_credentials
from shared_domain.common.models import AuditLog
from tests.factories import PASSWORD, CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _change_form(user):
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "email_verified": "on",
        "is_active": "on",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "10:00:00",
        "customer_profile-TOTAL_FORMS": "1",
        "customer_profile-INITIAL_FORMS": "1",
        "customer_profile-MIN_NUM_FORMS": "0",
        "customer_profile-MAX_NUM_FORMS": "1",
        "customer_profile-0-id": str(user.customer_profile.pk),
        "customer_profile-0-user": str(user.pk),
        "customer_profile-0-phone": "",
        "vendor_profile-TOTAL_FORMS": "0",
        "vendor_profile-INITIAL_FORMS": "0",
        "vendor_profile-MIN_NUM_FORMS": "0",
        "vendor_profile-MAX_NUM_FORMS": "1",
    }


def test_staff_role_change_in_the_admin_is_audited(client):
    staff = StaffFactory.create(is_superuser=True)
    customer = CustomerFactory.create()
    client.force_login(staff)
    form = {**_change_form(customer), "role": "vendor"}
    response = client.post(f"/api/v1/admin/accounts/user/{customer.pk}/change/", data=form)
    assert response.status_code == 302, response.content[:2000]
    customer.refresh_from_db()
    assert customer.role == "vendor"
    assert VendorProfile.objects.filter(user=customer).exists()
    role_change = AuditLog.objects.get(action="role_changed")
    assert (role_change.actor_id, role_change.data) == (
        staff.pk,
        {"from": "customer", "to": "vendor"},
    )
    assert role_change.ip_address == "127.0.0.1"
    assert role_change.request_id


def test_other_staff_edits_are_audited_too(client):
    staff = StaffFactory.create(is_superuser=True)
    customer = CustomerFactory.create()
    client.force_login(staff)
    form = {**_change_form(customer), "full_name": "Renamed By Staff"}
    client.post(f"/api/v1/admin/accounts/user/{customer.pk}/change/", data=form)
    edit = AuditLog.objects.get(action="staff_edit")
    assert edit.data == {"fields": ["full_name"]}
    assert edit.subject_id == str(customer.pk)


@pytest.mark.parametrize(
    ("role", "profile"), [("vendor", "vendor_profile"), ("customer", "customer_profile")]
)
def test_staff_adding_a_user_in_the_admin_gets_the_profile_of_the_role(client, role, profile):
    staff = StaffFactory.create(is_superuser=True)
    client.force_login(staff)
    page = client.get("/api/v1/admin/accounts/user/add/")
    assert page.status_code == 200
    assert b"vendor_profile-TOTAL_FORMS" not in page.content  # the service makes it
    form = {
        "email": "new.user@example.com",
        "full_name": "Ada Styles",
        "role": role,
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post("/api/v1/admin/accounts/user/add/", data=form)
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(email="new.user@example.com")
    assert hasattr(user, profile)
    if role == "vendor":
        assert (user.vendor_profile.store_name, user.vendor_profile.slug) == (
            "Ada Styles",
            "ada-styles",
        )
    assert AuditLog.objects.filter(action="staff_create", subject_id=str(user.pk)).exists()


def test_wrong_password_and_unknown_email_take_about_as_long(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = CustomerFactory.create()
    user.set_password(PASSWORD)
    user.save()

    def timed(email: str) -> float:
        started = time.perf_counter()
        with pytest.raises(InvalidCredentials):
            services.session_login(email=email, password="Not-The-Password-1")
        return time.perf_counter() - started

    known = statistics.median(timed(user.email) for _ in range(5))
    unknown = statistics.median(timed("nobody@example.com") for _ in range(5))
    assert 0.5 < known / unknown < 2.0, (known, unknown)
    assert known > 0.005  # the hasher really ran in both cases


def test_prune_credentials_forgets_long_expired_tokens_and_codes(run_tasks):
    user = CustomerFactory.create()
    old = timezone.now() - timedelta(days=3)
    RefreshToken.objects.create(jti="a" * 32, user=user, family="f", expires_at=old)
    RefreshToken.objects.create(
        jti="b" * 32, user=user, family="g", expires_at=timezone.now() + timedelta(days=1)
    )
    OneTimeCode.objects.create(user=user, purpose="verify_email", code_hash="x", expires_at=old)
    result = prune_credentials.enqueue()
    run_tasks()
    result.refresh()
    assert result.return_value == {"refresh_tokens": 1, "one_time_codes": 1}
    assert list(RefreshToken.objects.values_list("jti", flat=True)) == ["b" * 32]
