"""Reactions to accounts events (registered in AccountsConfig.ready): enqueue emails."""

from __future__ import annotations

from shared_domain.accounts import events
from shared_domain.accounts.tasks import (
    deliver_password_changed_notice,
    deliver_password_reset_code,
    deliver_payout_changed_notice,
    deliver_verification_code,
)


def send_verification_code(
    event: events.UserRegistered | events.VerificationCodeRequested,
) -> None:
    deliver_verification_code.enqueue(user_id=event.user_id)


def send_password_reset_code(event: events.PasswordResetRequested) -> None:
    deliver_password_reset_code.enqueue(user_id=event.user_id)


def send_password_changed_notice(event: events.PasswordChanged) -> None:
    deliver_password_changed_notice.enqueue(user_id=event.user_id, how=event.how)


def send_payout_changed_notice(event: events.VendorPayoutChanged) -> None:
    deliver_payout_changed_notice.enqueue(user_id=event.user_id, fields=event.fields)
