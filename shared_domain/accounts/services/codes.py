"""Emailed one-time codes: issued as 6 digits, stored as HMACs, checked with a limit
on attempts, single use."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shared_domain.accounts.errors import InvalidCode, TooManyAttempts
from shared_domain.accounts.models import OneTimeCode, User


def _code_hash(*, user_id: int, purpose: str, code: str) -> str:
    message = f"{purpose}:{user_id}:{code}".encode()
    return hmac.new(settings.OTP_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def one_time_code_issue(*, user: User, purpose: str) -> str:
    """Issue a fresh 6-digit code (the previous live one of the same purpose stops
    working) and return it in clear, for delivery. Only its HMAC is stored."""
    now = timezone.now()
    OneTimeCode.objects.filter(user=user, purpose=purpose, consumed_at__isnull=True).update(
        consumed_at=now
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    OneTimeCode.objects.create(
        user=user,
        purpose=purpose,
        code_hash=_code_hash(user_id=user.pk, purpose=purpose, code=code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    return code


class CodeCheck(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


def code_check(
    *,
    user: User | None,
    purpose: str,
    code: str,
    on_match: Callable[[User], None] | None = None,
) -> CodeCheck:
    """Compare `code` with the user's live code, counting the attempt. Commits the
    count even though the caller then raises. `on_match` runs before a right code is
    consumed: if it raises, the code stays usable."""
    if user is None:
        return CodeCheck.WRONG
    now = timezone.now()
    with transaction.atomic():
        live = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, consumed_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if live is None or live.expires_at <= now:
            return CodeCheck.WRONG
        if live.attempts >= settings.OTP_MAX_ATTEMPTS:
            return CodeCheck.LOCKED
        expected = _code_hash(user_id=user.pk, purpose=purpose, code=code)
        if hmac.compare_digest(expected, live.code_hash):
            if on_match is not None:
                on_match(user)
            live.consumed_at = now
            live.save(update_fields=["consumed_at"])
            return CodeCheck.OK
        live.attempts += 1
        live.save(update_fields=["attempts"])
        return CodeCheck.WRONG


def code_check_raise(result: CodeCheck) -> None:
    if result is CodeCheck.LOCKED:
        raise TooManyAttempts(retry_after=settings.OTP_TTL_SECONDS)
    if result is CodeCheck.WRONG:
        raise InvalidCode()
