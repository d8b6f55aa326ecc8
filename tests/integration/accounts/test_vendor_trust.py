"""What a vendor must have done before the marketplace trusts it: a verified email to
sell, a store name no other store has (whatever its case), and its password again to
redirect its payouts."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from shared_domain.accounts import services
from shared_domain.accounts.errors import (
    EmailNotVerified,
    ReauthenticationRequired,
    StoreNameTaken,
    WrongPassword,
)
from shared_domain.accounts.models import VendorProfile
from shared_domain.catalog.models import Product
from shared_domain.common.models import AuditLog
from shared_domain.common.queues import queue_depths
from tests.factories import PASSWORD, VendorFactory, category_tree_fixture, make_product
from tests.http import bearer, error, login

pytestmark = pytest.mark.django_db


def _send(client, method, path, access, body=None):
    return getattr(client, method)(
        path,
        data=json.dumps(body or {}),
        content_type="application/json",
        headers=bearer(access),
    )


# ---------------------------------------------------------------- publishing
def test_an_unverified_vendor_keeps_drafts_but_cannot_publish(client):
    tree = category_tree_fixture()
    vendor = VendorFactory.create(email_verified=False)
    draft = make_product(
        vendor, title="Ankara maxi", category=tree["Maxi"], publish=False,
        variants=[("ANK-M", "M", "Red", 3)],
    )  # fmt: skip
    access = login(client, vendor)["access"]
    response = _send(client, "post", f"/api/v1/vendor/products/{draft.pk}/publish", access)
    assert (response.status_code, error(response)["code"]) == (403, "email_not_verified")
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (Product.Status.DRAFT, None)
    # Editing the draft stays allowed.
    edited = _send(
        client, "patch", f"/api/v1/vendor/products/{draft.pk}", access, {"title": "Ankara"}
    )
    assert edited.status_code == 200
    # Once verified, the same product goes on sale.
    type(vendor).objects.filter(pk=vendor.pk).update(email_verified=True)
    published = _send(client, "post", f"/api/v1/vendor/products/{draft.pk}/publish", access)
    assert (published.status_code, published.json()["status"]) == (200, "active")


def test_the_publish_service_refuses_any_caller_for_an_unverified_vendor():
    tree = category_tree_fixture()
    vendor = VendorFactory.create(email_verified=False)
    draft = make_product(
        vendor, title="Dress", category=tree["Maxi"], publish=False,
        variants=[("DR-M", "M", "Red", 1)],
    )  # fmt: skip
    from shared_domain.catalog.services import product_publish

    with pytest.raises(EmailNotVerified):
        product_publish(product=draft)  # the admin action goes through here too


# ---------------------------------------------------------------- store names
def test_store_names_are_unique_whatever_their_case(client):
    VendorFactory.create()  # "Store <pk>"
    first = VendorProfile.objects.get()
    response = client.post(
        "/api/v1/auth/register",
        data=json.dumps({
            "email": "b@example.com", "password": PASSWORD, "full_name": "B",
            "role": "vendor", "store_name": f"  {first.store_name.upper()} ",
        }),
        content_type="application/json",
    )  # fmt: skip
    assert (response.status_code, error(response)["code"]) == (409, "store_name_taken")
    assert "store_name" in error(response)["details"]
    assert not type(first.user).objects.filter(email="b@example.com").exists()

    other = VendorFactory.create()
    access = login(client, other)["access"]
    renamed = _send(
        client, "patch", "/api/v1/vendor/profile", access,
        {"store_name": first.store_name.lower()},
    )  # fmt: skip
    assert (renamed.status_code, error(renamed)["code"]) == (409, "store_name_taken")
    # Its own name in another case is no clash.
    own = VendorProfile.objects.get(user=other).store_name
    assert (
        _send(
            client, "patch", "/api/v1/vendor/profile", access, {"store_name": own.upper()}
        ).status_code
        == 200
    )


def test_the_database_refuses_store_names_and_slugs_differing_only_in_case():
    vendor = VendorFactory.create()
    profile = VendorProfile.objects.get(user=vendor)
    VendorProfile.objects.filter(pk=profile.pk).update(store_name="x")
    other = VendorFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        VendorProfile.objects.filter(user=other).update(store_name="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        VendorProfile.objects.filter(user=other).update(slug=profile.slug.upper())


def test_a_role_change_names_the_store_apart_from_a_taken_name():
    from tests.factories import CustomerFactory, StaffFactory

    existing = VendorProfile.objects.get(user=VendorFactory.create())
    user = CustomerFactory.create(full_name=existing.store_name.lower())
    services.user_role_change(user=user, role="vendor", by=StaffFactory.create())
    assert VendorProfile.objects.get(user=user).store_name == (
        f"{existing.store_name.lower()} ({user.pk})"
    )


def test_the_service_reports_a_taken_name_as_a_conflict():
    taken = VendorProfile.objects.get(user=VendorFactory.create()).store_name
    with pytest.raises(StoreNameTaken):
        services.vendor_profile_update(user=VendorFactory.create(), data={"store_name": taken})


# ---------------------------------------------------------------- payout details
@pytest.mark.django_db(transaction=True)
def test_changing_payout_ids_needs_the_password_and_is_audited_and_emailed(client, run_tasks):
    vendor = VendorFactory.create()
    access = login(client, vendor)["access"]
    change = {"paystack_subaccount_code": "ACCT_8f4s1eq7ml6rlzj"}

    missing = _send(client, "patch", "/api/v1/vendor/profile", access, change)
    assert (missing.status_code, error(missing)["code"]) == (403, "reauthentication_required")
    assert "current_password" in error(missing)["details"]
    wrong = _send(
        client, "patch", "/api/v1/vendor/profile", access, {**change, "current_password": "nope"}
    )
    assert (wrong.status_code, error(wrong)["code"]) == (400, "wrong_password")
    assert VendorProfile.objects.get(user=vendor).paystack_subaccount_code == ""
    refused = AuditLog.objects.filter(action="vendor_payout_change_refused")
    assert [a.data["reason"] for a in refused.order_by("pk")] == ["no_password", "wrong_password"]
    run_tasks()
    assert mail.outbox == []

    done = _send(
        client, "patch", "/api/v1/vendor/profile", access, {**change, "current_password": PASSWORD}
    )
    assert done.status_code == 200, done.content
    assert "current_password" not in done.json()
    assert done.json()["paystack_subaccount_code"] == change["paystack_subaccount_code"]
    audit = AuditLog.objects.get(action="vendor_payout_changed")
    assert (audit.actor_id, audit.data) == (vendor.pk, {"fields": ["paystack_subaccount_code"]})
    assert queue_depths()["emails"] == 1
    run_tasks()
    [notice] = mail.outbox
    assert notice.to == [vendor.email]
    assert "payout details" in notice.subject
    assert "Paystack subaccount code" in notice.body

    # Other store details, and sending the payout ids unchanged, need no password.
    same = _send(
        client, "patch", "/api/v1/vendor/profile", access, {**change, "description": "Hi"}
    )
    assert same.status_code == 200


def test_a_password_with_spaces_at_its_ends_changes_payout_ids(client):
    """Passwords keep their spaces everywhere, here too: trimming the re-entered one
    would lock such a vendor out of payout changes."""
    spaced = f" {PASSWORD} "
    vendor = VendorFactory.create()
    vendor.set_password(spaced)
    vendor.save(update_fields=["password"])
    access = login(client, vendor, password=spaced)["access"]
    change = {"paystack_subaccount_code": "ACCT_8f4s1eq7ml6rlzj", "current_password": spaced}
    done = _send(client, "patch", "/api/v1/vendor/profile", access, change)
    assert done.status_code == 200, done.content
    assert (
        VendorProfile.objects.get(user=vendor).paystack_subaccount_code
        == change["paystack_subaccount_code"]
    )


def test_the_service_checks_the_password_only_for_a_real_payout_change():
    vendor = VendorFactory.create()
    with pytest.raises(ReauthenticationRequired):
        services.vendor_profile_update(user=vendor, data={"stripe_account_id": "acct_1Nv0FGQ9"})
    with pytest.raises(WrongPassword):
        services.vendor_profile_update(
            user=vendor, data={"stripe_account_id": "acct_1Nv0FGQ9"}, current_password="x"
        )
    services.vendor_profile_update(user=vendor, data={"stripe_account_id": ""})  # unchanged
