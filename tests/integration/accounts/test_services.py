"""Rules of the accounts services, against the real database."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shared_domain.accounts import services
from shared_domain.accounts.errors import (
    AccountDisabled,
    EmailTaken,
    InvalidCode,
    InvalidCredentials,
    InvalidToken,
    TokenExpired,
    TokenRevoked,
    TooManyAttempts,
    WrongPassword,
)
from shared_domain.accounts.models import OneTimeCode, RefreshToken, User, VendorProfile
from shared_domain.accounts.selectors import user_for_access_token
from shared_domain.common.errors import NotFound, PermissionDenied, ValidationFailed
from shared_domain.common.models import AuditLog, EventRecord
from tests.concurrency import names, race
from tests.factories import PASSWORD, CustomerFactory, StaffFactory, VendorFactory

pytestmark = pytest.mark.django_db

VERIFY = OneTimeCode.Purpose.VERIFY_EMAIL
RESET = OneTimeCode.Purpose.PASSWORD_RESET


def _register(**overrides):
    data = {
        "email": "Ada@Example.com",
        "password": PASSWORD,
        "full_name": "Ada Obi",
        "role": "customer",
    }
    return services.user_register(**{**data, **overrides})


# ---------------------------------------------------------------------- registration
def test_register_customer_creates_an_unverified_account_with_a_profile():
    user = _register()
    assert (user.email, user.role, user.email_verified) == ("ada@example.com", "customer", False)
    assert user.check_password(PASSWORD)
    assert user.password.startswith("md5$")  # the fast test hasher
    assert hasattr(user, "customer_profile")
    assert EventRecord.objects.filter(event_type="accounts.UserRegistered").count() == 1


def test_register_vendor_needs_a_store_name_and_gets_a_unique_slug():
    with pytest.raises(ValidationFailed) as missing:
        _register(role="vendor")
    assert missing.value.details == {"store_name": ["Vendors need a store name."]}
    first = _register(role="vendor", store_name="Ada Styles")
    second = _register(role="vendor", store_name="Ada-Styles", email="b@example.com")
    assert first.vendor_profile.slug == "ada-styles"
    assert second.vendor_profile.slug == "ada-styles-2"


def test_duplicate_email_is_refused_case_insensitively():
    _register()
    with pytest.raises(EmailTaken):
        _register(email="  ADA@example.COM ")
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"role": "staff"}, "role"),
        ({"role": "superuser"}, "role"),
        ({"password": "short"}, "password"),
        ({"password": "1234567890123"}, "password"),
        ({"password": "password123"}, "password"),
        ({"password": "ada@example.com"}, "password"),
    ],
)
def test_invalid_registrations_write_nothing(overrides, field):
    with pytest.raises(ValidationFailed) as error:
        _register(**overrides)
    assert field in error.value.details
    assert not User.objects.exists()
    assert not EventRecord.objects.exists()


def test_concurrent_registrations_of_one_email_create_one_account(transactional_db):
    outcomes = race(*[_register] * 4)
    assert names(outcomes) == ["EmailTaken"] * 3 + ["ok"]
    assert User.objects.count() == 1


# ---------------------------------------------------------------------- codes
def test_codes_are_six_digits_and_stored_only_as_an_hmac():
    user = CustomerFactory.create(email_verified=False)
    code = services.one_time_code_issue(user=user, purpose=VERIFY)
    stored = OneTimeCode.objects.get(user=user)
    assert len(code) == 6
    assert code.isdigit()
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64
    assert stored.expires_at - stored.created_at == timedelta(minutes=10)


def test_right_code_verifies_once():
    user = CustomerFactory.create(email_verified=False)
    code = services.one_time_code_issue(user=user, purpose=VERIFY)
    assert services.email_verify(email=user.email, code=code).email_verified is True
    user.refresh_from_db()
    assert user.email_verified
    assert OneTimeCode.objects.get(user=user).consumed_at is not None
    assert AuditLog.objects.filter(action="email_verified", actor=user).exists()


def test_a_used_code_cannot_reset_twice():
    user = CustomerFactory.create()
    code = services.one_time_code_issue(user=user, purpose=RESET)
    services.password_reset_confirm(email=user.email, code=code, new_password="New-Pass-123456")
    with pytest.raises(InvalidCode):
        services.password_reset_confirm(
            email=user.email, code=code, new_password="Other-Pass-98765"
        )


def test_a_new_code_invalidates_the_old_one():
    user = CustomerFactory.create(email_verified=False)
    old = services.one_time_code_issue(user=user, purpose=VERIFY)
    new = services.one_time_code_issue(user=user, purpose=VERIFY)
    if old == new:  # one in a million: the test is about the row, not the digits
        old = f"{(int(old) + 1) % 1_000_000:06d}"
    with pytest.raises(InvalidCode):
        services.email_verify(email=user.email, code=old)
    assert services.email_verify(email=user.email, code=new).email_verified


def test_expired_code_is_refused():
    user = CustomerFactory.create(email_verified=False)
    code = services.one_time_code_issue(user=user, purpose=VERIFY)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvalidCode):
        services.email_verify(email=user.email, code=code)


def test_five_wrong_codes_lock_the_code_even_for_the_right_one():
    user = CustomerFactory.create(email_verified=False)
    code = services.one_time_code_issue(user=user, purpose=VERIFY)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(InvalidCode):
            services.email_verify(email=user.email, code=wrong)
    with pytest.raises(TooManyAttempts):
        services.email_verify(email=user.email, code=code)
    assert OneTimeCode.objects.get(user=user).attempts == 5
    user.refresh_from_db()
    assert not user.email_verified


def test_codes_of_one_purpose_do_not_work_for_the_other():
    user = CustomerFactory.create(email_verified=False)
    code = services.one_time_code_issue(user=user, purpose=RESET)
    with pytest.raises(InvalidCode):
        services.email_verify(email=user.email, code=code)


def test_verify_for_an_unknown_email_is_just_a_wrong_code():
    with pytest.raises(InvalidCode):
        services.email_verify(email="nobody@example.com", code="123456")


def test_verify_for_an_already_verified_account_is_just_a_wrong_code():
    user = CustomerFactory.create(email_verified=True)
    code = services.one_time_code_issue(user=user, purpose=VERIFY)
    answers = []
    for email, attempt in ((user.email, code), (user.email, "000000"), ("no@example.com", code)):
        with pytest.raises(InvalidCode) as wrong:
            services.email_verify(email=email, code=attempt)
        answers.append((wrong.value.code, wrong.value.message, wrong.value.details))
    assert answers[0] == answers[1] == answers[2]
    assert OneTimeCode.objects.get(user=user).attempts == 0


def test_parallel_wrong_codes_are_each_counted_once(transactional_db):
    user = CustomerFactory.create(email_verified=False)
    code = services.one_time_code_issue(user=user, purpose=VERIFY)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    outcomes = race(*[lambda: services.email_verify(email=user.email, code=wrong)] * 8)
    assert names(outcomes) == ["InvalidCode"] * 5 + ["TooManyAttempts"] * 3
    assert OneTimeCode.objects.get(user=user).attempts == 5


# ---------------------------------------------------------------------- sign-in and tokens
def test_login_issues_tokens_for_the_right_password():
    user = CustomerFactory.create()
    signed_in = services.session_login(email=user.email.upper(), password=PASSWORD)
    assert signed_in.user == user
    assert user_for_access_token(token=signed_in.tokens.access) == user
    assert RefreshToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1
    assert AuditLog.objects.filter(action="login_succeeded", actor=user).count() == 1


def test_wrong_password_and_unknown_email_fail_alike_and_are_audited():
    user = CustomerFactory.create()
    with pytest.raises(InvalidCredentials) as wrong:
        services.session_login(email=user.email, password="nope-nope-nope")
    with pytest.raises(InvalidCredentials) as unknown:
        services.session_login(email="ghost@example.com", password="nope-nope-nope")
    assert (wrong.value.code, wrong.value.message) == (unknown.value.code, unknown.value.message)
    failures = AuditLog.objects.filter(action="login_failed")
    assert failures.count() == 2
    assert failures.filter(subject_id=str(user.pk), data__reason="password").exists()
    assert failures.filter(data__email="ghost@example.com", data__reason="unknown").exists()


def test_inactive_users_cannot_sign_in_and_lose_their_tokens():
    user = CustomerFactory.create()
    signed_in = services.session_login(email=user.email, password=PASSWORD)
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(InvalidCredentials):
        services.session_login(email=user.email, password=PASSWORD)
    with pytest.raises(AccountDisabled):
        user_for_access_token(token=signed_in.tokens.access)
    with pytest.raises(TokenRevoked):
        services.token_refresh(refresh_token=signed_in.tokens.refresh)


def test_tokens_of_a_deleted_user_are_refused():
    user = CustomerFactory.create()
    access = services.session_login(email=user.email, password=PASSWORD).tokens.access
    user.delete()
    with pytest.raises(InvalidToken):
        user_for_access_token(token=access)


def test_refresh_rotates_and_the_old_token_is_denied():
    user = CustomerFactory.create()
    first = services.session_login(email=user.email, password=PASSWORD).tokens
    second = services.token_refresh(refresh_token=first.refresh)
    assert second.refresh != first.refresh
    assert user_for_access_token(token=second.access) == user
    old = RefreshToken.objects.get(jti=first.refresh_jti)
    assert old.revoked_at is not None
    assert old.replaced_by == second.refresh_jti


def _rotated_past_the_grace(jti, settings):
    """As if the token had been rotated longer ago than the reuse grace."""
    ago = timedelta(seconds=settings.JWT_REFRESH_REUSE_GRACE_SECONDS + 1)
    RefreshToken.objects.filter(jti=jti).update(revoked_at=timezone.now() - ago)


def test_replaying_a_rotated_refresh_token_after_the_grace_ends_the_whole_session(settings):
    user = CustomerFactory.create()
    first = services.session_login(email=user.email, password=PASSWORD).tokens
    second = services.token_refresh(refresh_token=first.refresh)
    _rotated_past_the_grace(first.refresh_jti, settings)
    with pytest.raises(TokenRevoked):
        services.token_refresh(refresh_token=first.refresh)  # stolen copy replayed
    with pytest.raises(TokenRevoked):
        services.token_refresh(refresh_token=second.refresh)  # the family is gone too
    assert AuditLog.objects.filter(action="refresh_token_reuse").count() == 1


def test_a_token_presented_again_within_the_grace_is_refused_but_the_session_lives():
    user = CustomerFactory.create()
    first = services.session_login(email=user.email, password=PASSWORD).tokens
    second = services.token_refresh(refresh_token=first.refresh)
    with pytest.raises(TokenRevoked):
        services.token_refresh(refresh_token=first.refresh)
    assert services.token_refresh(refresh_token=second.refresh).access
    assert not AuditLog.objects.filter(action="refresh_token_reuse").exists()


def test_the_grace_is_a_setting(settings):
    settings.JWT_REFRESH_REUSE_GRACE_SECONDS = 0
    user = CustomerFactory.create()
    first = services.session_login(email=user.email, password=PASSWORD).tokens
    second = services.token_refresh(refresh_token=first.refresh)
    with pytest.raises(TokenRevoked):
        services.token_refresh(refresh_token=first.refresh)
    with pytest.raises(TokenRevoked):
        services.token_refresh(refresh_token=second.refresh)


def test_other_sessions_survive_a_replay(settings):
    user = CustomerFactory.create()
    phone = services.session_login(email=user.email, password=PASSWORD).tokens
    laptop = services.session_login(email=user.email, password=PASSWORD).tokens
    services.token_refresh(refresh_token=phone.refresh)
    _rotated_past_the_grace(phone.refresh_jti, settings)
    with pytest.raises(TokenRevoked):
        services.token_refresh(refresh_token=phone.refresh)
    assert services.token_refresh(refresh_token=laptop.refresh).access


def test_concurrent_refreshes_of_one_token_yield_one_new_pair_that_keeps_working(
    transactional_db,
):
    user = CustomerFactory.create()
    tokens = services.session_login(email=user.email, password=PASSWORD).tokens
    outcomes = race(*[lambda: services.token_refresh(refresh_token=tokens.refresh)] * 3)
    assert names(outcomes) == ["TokenRevoked", "TokenRevoked", "ok"]
    # The losers did not end the session the winner continued.
    (winner,) = [o for o in outcomes if not isinstance(o, Exception)]
    assert user_for_access_token(token=winner.access) == user
    assert services.token_refresh(refresh_token=winner.refresh).access


def test_refresh_does_not_lock_the_user_row(transactional_db):
    user = CustomerFactory.create()
    tokens = services.session_login(email=user.email, password=PASSWORD).tokens
    locked, release = threading.Event(), threading.Event()

    def hold_user_lock():
        # What an ordinary write of the user (a profile edit, a sign-in) holds.
        try:
            with transaction.atomic():
                User.objects.filter(pk=user.pk).update(full_name="Busy")
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_user_lock)
    holder.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            assert services.token_refresh(refresh_token=tokens.refresh).access
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    finally:
        release.set()
        holder.join()


def test_access_token_cannot_be_used_to_refresh():
    user = CustomerFactory.create()
    tokens = services.session_login(email=user.email, password=PASSWORD).tokens
    with pytest.raises(InvalidToken):
        services.token_refresh(refresh_token=tokens.access)


def test_expired_refresh_token_is_refused(settings):
    user = CustomerFactory.create()
    settings.JWT_REFRESH_LIFETIME = -60
    tokens = services.session_login(email=user.email, password=PASSWORD).tokens
    with pytest.raises(TokenExpired):
        services.token_refresh(refresh_token=tokens.refresh)


def test_logout_revokes_the_session():
    user = CustomerFactory.create()
    tokens = services.session_login(email=user.email, password=PASSWORD).tokens
    services.token_revoke(refresh_token=tokens.refresh)
    with pytest.raises(TokenRevoked):
        services.token_refresh(refresh_token=tokens.refresh)
    assert AuditLog.objects.filter(action="logout", actor=user).exists()


def test_logout_with_an_expired_token_is_a_quiet_no_op(settings):
    user = CustomerFactory.create()
    settings.JWT_REFRESH_LIFETIME = -60
    tokens = services.session_login(email=user.email, password=PASSWORD).tokens
    services.token_revoke(refresh_token=tokens.refresh)  # no error: the session is over
    assert not AuditLog.objects.filter(action="logout").exists()
    assert RefreshToken.objects.get(jti=tokens.refresh_jti).revoked_at is None


def test_logout_with_an_unknown_token_is_refused():
    user = CustomerFactory.create()
    tokens = services.session_login(email=user.email, password=PASSWORD).tokens
    RefreshToken.objects.filter(jti=tokens.refresh_jti).delete()  # e.g. pruned
    with pytest.raises(InvalidToken):
        services.token_revoke(refresh_token=tokens.refresh)
    with pytest.raises(InvalidToken):
        services.token_revoke(refresh_token=tokens.access)


# ---------------------------------------------------------------------- passwords
def test_password_reset_changes_the_password_and_signs_out_everywhere():
    user = CustomerFactory.create(email_verified=False)
    tokens = services.session_login(email=user.email, password=PASSWORD).tokens
    services.password_reset_request(email=user.email)
    code = services.one_time_code_issue(user=user, purpose=RESET)
    services.password_reset_confirm(email=user.email, code=code, new_password="Fresh-Pass-2468")
    user.refresh_from_db()
    assert user.check_password("Fresh-Pass-2468")
    assert user.email_verified  # the emailed code proved the address
    with pytest.raises(TokenRevoked):
        user_for_access_token(token=tokens.access)
    with pytest.raises(TokenRevoked):
        services.token_refresh(refresh_token=tokens.refresh)
    assert AuditLog.objects.filter(action="password_reset", actor=user).exists()


def test_reset_to_a_password_like_the_name_is_refused_and_the_code_stays_usable():
    user = CustomerFactory.create(full_name="Chiamaka Okonkwo-Adebayo")
    code = services.one_time_code_issue(user=user, purpose=RESET)
    with pytest.raises(ValidationFailed) as similar:
        services.password_reset_confirm(
            email=user.email, code=code, new_password="ChiamakaOkonkwo"
        )
    assert "new_password" in similar.value.details
    services.password_reset_confirm(email=user.email, code=code, new_password="Fresh-Pass-2468")
    user.refresh_from_db()
    assert user.check_password("Fresh-Pass-2468")


def test_weak_reset_password_is_refused_alike_whether_or_not_the_account_exists():
    user = CustomerFactory.create()
    answers = []
    for email in (user.email, "nobody@example.com"):
        with pytest.raises(ValidationFailed) as weak:
            services.password_reset_confirm(email=email, code="123456", new_password="12345")
        answers.append((weak.value.code, weak.value.details))
    assert answers[0] == answers[1]
    assert answers[0][0] == "validation_error"


def test_weak_new_password_does_not_burn_a_code_attempt():
    user = CustomerFactory.create()
    code = services.one_time_code_issue(user=user, purpose=RESET)
    with pytest.raises(ValidationFailed) as weak:
        services.password_reset_confirm(email=user.email, code=code, new_password="12345")
    assert "new_password" in weak.value.details
    assert OneTimeCode.objects.get(user=user).attempts == 0


def test_password_reset_request_for_unknown_email_does_nothing_visible():
    services.password_reset_request(email="nobody@example.com")
    assert not EventRecord.objects.exists()


def test_password_change_needs_the_current_password():
    user = CustomerFactory.create()
    with pytest.raises(WrongPassword):
        services.password_change(
            user=user, current_password="wrong", new_password="New-Pass-13579"
        )
    pair = services.password_change(
        user=user, current_password=PASSWORD, new_password="New-Pass-13579"
    )
    assert user_for_access_token(token=pair.access) == user
    assert AuditLog.objects.filter(action="password_changed", actor=user).exists()


def test_password_change_refuses_a_weak_password_and_keeps_the_sessions():
    user = CustomerFactory.create()
    tokens = services.session_login(email=user.email, password=PASSWORD).tokens
    with pytest.raises(ValidationFailed) as weak:
        services.password_change(user=user, current_password=PASSWORD, new_password="123")
    assert "new_password" in weak.value.details
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user_for_access_token(token=tokens.access) == user


def test_password_change_bumps_the_stored_token_version_even_from_a_stale_user():
    user = CustomerFactory.create()
    stale = User.objects.get(pk=user.pk)
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)  # elsewhere
    pair = services.password_change(
        user=stale, current_password=PASSWORD, new_password="New-Pass-13579"
    )
    user.refresh_from_db()
    assert user.token_version == stale.token_version == 3
    assert user_for_access_token(token=pair.access) == user


# ---------------------------------------------------------------------- profiles and roles
def test_user_update_changes_name_and_customer_phone():
    user = CustomerFactory.create()
    services.user_update(user=user, data={"full_name": "  Ada Obi  ", "phone": "+2348012345678"})
    user.refresh_from_db()
    assert user.full_name == "Ada Obi"
    assert user.customer_profile.phone == "+2348012345678"


def test_vendors_have_no_phone_on_their_user_profile():
    with pytest.raises(ValidationFailed):
        services.user_update(user=VendorFactory.create(), data={"phone": "+234"})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"phone": "1" * 33}, "phone"),
    ],
)
def test_user_update_validates_and_writes_nothing(changes, field):
    user = CustomerFactory.create(full_name="Ada Obi")
    with pytest.raises(ValidationFailed) as bad:
        services.user_update(user=user, data=changes)
    assert list(bad.value.details) == [field]
    user.refresh_from_db()
    assert (user.full_name, user.customer_profile.phone) == ("Ada Obi", "")


@pytest.mark.parametrize(
    ("update", "data"),
    [
        (services.user_update, {"email": "new@example.com"}),
        (services.vendor_profile_update, {"verified": True}),
    ],
)
def test_fields_outside_the_update_types_are_refused_as_a_programming_error(update, data):
    user = VendorFactory.create()
    with pytest.raises(ValueError, match="not updatable"):
        update(user=user, data=data)
    user.refresh_from_db()
    assert user.email != "new@example.com"
    assert VendorProfile.objects.get(user=user).verified is False


def test_only_vendors_update_a_vendor_profile():
    with pytest.raises(PermissionDenied):
        services.vendor_profile_update(
            user=CustomerFactory.create(), data={"store_name": "Mine now"}
        )


def test_vendor_payout_ids_are_validated_and_changes_audited():
    vendor = VendorFactory.create()
    with pytest.raises(ValidationFailed) as bad:
        services.vendor_profile_update(user=vendor, data={"paystack_subaccount_code": "nope"})
    assert "paystack_subaccount_code" in bad.value.details
    profile = services.vendor_profile_update(
        user=vendor,
        data={"store_name": "Ada Styles", "paystack_subaccount_code": "ACCT_8f4s1eq7ml6rlzj"},
        current_password=PASSWORD,
    )
    assert profile.store_name == "Ada Styles"
    assert profile.slug == f"store-{vendor.pk}"  # store URLs stay stable
    audit = AuditLog.objects.get(action="vendor_payout_changed")
    assert audit.subject_type == "accounts.vendorprofile"
    assert audit.data == {"fields": ["paystack_subaccount_code"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"store_name": "  "}, "store_name"),
        ({"store_name": "x" * 121}, "store_name"),
        ({"stripe_account_id": "ACCT_123"}, "stripe_account_id"),
        ({"stripe_account_id": "acct_" + "x" * 60}, "stripe_account_id"),
        ({"stripe_account_id": "acct_ünïcode"}, "stripe_account_id"),
        ({"paystack_subaccount_code": "acct_lowercase"}, "paystack_subaccount_code"),
    ],
)
def test_vendor_profile_update_validates_and_writes_nothing(changes, field):
    vendor = VendorFactory.create()
    with pytest.raises(ValidationFailed) as bad:
        services.vendor_profile_update(user=vendor, data=changes)
    assert list(bad.value.details) == [field]
    profile = VendorProfile.objects.get(user=vendor)
    assert (profile.store_name, profile.stripe_account_id) == (f"Store {vendor.pk}", "")


def test_only_payout_changes_are_audited():
    vendor = VendorFactory.create()
    services.vendor_profile_update(
        user=vendor, data={"store_name": "Renamed", "description": "New"}
    )
    services.vendor_profile_update(user=vendor, data={"stripe_account_id": ""})  # unchanged: empty
    assert not AuditLog.objects.filter(action="vendor_payout_changed").exists()
    services.vendor_profile_update(
        user=vendor, data={"stripe_account_id": "acct_1Nv0FGQ9"}, current_password=PASSWORD
    )
    services.vendor_profile_update(
        user=vendor, data={"stripe_account_id": "acct_1Nv0FGQ9"}
    )  # same: no password needed
    audits = AuditLog.objects.filter(action="vendor_payout_changed")
    assert [a.data for a in audits] == [{"fields": ["stripe_account_id"]}]


def test_updating_a_missing_vendor_profile_is_not_found():
    vendor = VendorFactory.create()
    VendorProfile.objects.filter(user=vendor).delete()
    with pytest.raises(NotFound):
        services.vendor_profile_update(user=vendor, data={"store_name": "Ada Styles"})


def test_role_changes_are_staff_only_and_audited():
    staff, user = StaffFactory.create(), CustomerFactory.create()
    with pytest.raises(PermissionDenied):
        services.user_role_change(user=user, role="vendor", by=CustomerFactory.create())
    services.user_role_change(user=user, role="vendor", by=staff)
    user.refresh_from_db()
    assert user.role == "vendor"
    assert VendorProfile.objects.filter(user=user).exists()
    audit = AuditLog.objects.get(action="role_changed")
    assert (audit.actor_id, audit.data) == (staff.pk, {"from": "customer", "to": "vendor"})


def test_a_new_vendor_store_is_named_and_slugged_like_a_registered_one():
    staff = StaffFactory.create()
    _register(role="vendor", store_name="Ada-Obi")
    user = CustomerFactory.create(full_name="Ada Obi")
    services.user_role_change(user=user, role="vendor", by=staff)
    profile = VendorProfile.objects.get(user=user)
    assert (profile.store_name, profile.slug) == ("Ada Obi", "ada-obi-2")


def test_store_slugs_take_the_next_free_suffix():
    names = ["Ada Styles", "Ada-Styles", "Ada Styles!"]  # three names, one slug
    for n, email in enumerate(["a@example.com", "b@example.com", "c@example.com"]):
        _register(role="vendor", store_name=names[n], email=email)
        if n == 1:
            VendorProfile.objects.filter(slug="ada-styles-2").update(slug="ada-styles-7")
    slugs = sorted(VendorProfile.objects.values_list("slug", flat=True))
    assert slugs == ["ada-styles", "ada-styles-7", "ada-styles-8"]


@pytest.mark.parametrize("role", ["superuser", "", "VENDOR"])
def test_role_change_to_an_unknown_role_is_refused(role):
    staff, user = StaffFactory.create(), CustomerFactory.create()
    with pytest.raises(ValidationFailed) as bad:
        services.user_role_change(user=user, role=role, by=staff)
    assert "role" in bad.value.details
    user.refresh_from_db()
    assert user.role == "customer"
    assert not AuditLog.objects.filter(action="role_changed").exists()
