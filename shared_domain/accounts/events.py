"""Events of the accounts context."""

from __future__ import annotations

import dataclasses

from shared_domain.common.events import Event


@dataclasses.dataclass(frozen=True)
class UserRegistered(Event):
    user_id: int
    role: str


@dataclasses.dataclass(frozen=True)
class VerificationCodeRequested(Event):
    user_id: int


@dataclasses.dataclass(frozen=True)
class EmailVerified(Event):
    user_id: int


@dataclasses.dataclass(frozen=True)
class PasswordResetRequested(Event):
    user_id: int


@dataclasses.dataclass(frozen=True)
class PasswordChanged(Event):
    user_id: int
    how: str  # "change" (knew the old one) or "reset" (by emailed code)


@dataclasses.dataclass(frozen=True)
class VendorPayoutChanged(Event):
    user_id: int
    fields: str  # the payout ids that changed, comma-separated
