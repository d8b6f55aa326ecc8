"""Email deliveries of the accounts context (queue `emails`). Each task loads fresh
state and is safe to run twice: the user gets a newer code, which replaces the older."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from shared_domain.accounts.models import OneTimeCode, RefreshToken, User
from shared_domain.accounts.services import one_time_code_issue
from shared_domain.common.tasking import app_task
from shared_domain.notifications.services import email_send


def _minutes() -> int:
    return max(1, settings.OTP_TTL_SECONDS // 60)


def _deliver_code(user: User, *, purpose: str, template: str) -> None:
    code = one_time_code_issue(user=user, purpose=purpose)
    email_send(
        to=user.email,
        template=template,
        context={"code": code, "name": user.full_name, "minutes": _minutes()},
    )


@app_task(queue="emails", max_retries=5)
def deliver_verification_code(*, user_id: int) -> None:
    user = User.objects.get(pk=user_id)
    if user.is_active and not user.email_verified:
        _deliver_code(user, purpose=OneTimeCode.Purpose.VERIFY_EMAIL, template="verification_code")


@app_task(queue="emails", max_retries=5)
def deliver_password_reset_code(*, user_id: int) -> None:
    user = User.objects.get(pk=user_id)
    if user.is_active:
        _deliver_code(
            user, purpose=OneTimeCode.Purpose.PASSWORD_RESET, template="password_reset_code"
        )


@app_task(queue="emails", max_retries=5)
def deliver_password_changed_notice(*, user_id: int, how: str) -> None:
    user = User.objects.get(pk=user_id)
    email_send(
        to=user.email, template="password_changed", context={"name": user.full_name, "how": how}
    )


_PAYOUT_LABELS = {
    "paystack_subaccount_code": "Paystack subaccount code",
    "stripe_account_id": "Stripe account id",
}


@app_task(queue="emails", max_retries=5)
def deliver_payout_changed_notice(*, user_id: int, fields: str) -> None:
    user = User.objects.get(pk=user_id)
    labels = [_PAYOUT_LABELS.get(field, field) for field in fields.split(",") if field]
    email_send(
        to=user.email,
        template="payout_changed",
        context={"name": user.full_name, "changed": labels},
    )


@app_task(queue="default")
def prune_credentials() -> dict[str, int]:
    """Forget refresh tokens a day after they expired and one-time codes a day after
    they stopped working."""
    cutoff = timezone.now() - timedelta(days=1)
    tokens, _ = RefreshToken.objects.filter(expires_at__lt=cutoff).delete()
    codes, _ = OneTimeCode.objects.filter(expires_at__lt=cutoff).delete()
    return {"refresh_tokens": tokens, "one_time_codes": codes}
