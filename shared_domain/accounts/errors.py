"""Errors of the accounts context (codes are part of the API contract)."""

from shared_domain.common.errors import (
    Conflict,
    NotAuthenticated,
    PermissionDenied,
    Throttled,
    ValidationFailed,
)


class EmailTaken(Conflict):
    code = "email_taken"
    default_message = "An account with this email already exists."


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    default_message = "The email or password is not correct."


class InvalidCode(ValidationFailed):
    code = "invalid_code"
    default_message = "The code is wrong, expired or already used."


class TooManyAttempts(Throttled):
    code = "too_many_attempts"
    default_message = "Too many wrong codes; request a new code."


class InvalidToken(NotAuthenticated):
    code = "invalid_token"
    default_message = "The token is not valid."


class TokenExpired(NotAuthenticated):
    code = "token_expired"
    default_message = "The token has expired."


class TokenRevoked(NotAuthenticated):
    code = "token_revoked"
    default_message = "The token has been revoked; sign in again."


class AccountDisabled(NotAuthenticated):
    code = "account_disabled"
    default_message = "This account is disabled."


class WrongPassword(ValidationFailed):
    code = "wrong_password"
    default_message = "The current password is not correct."


class EmailNotVerified(PermissionDenied):
    code = "email_not_verified"
    default_message = "Verify your email address first."


class StoreNameTaken(Conflict):
    code = "store_name_taken"
    default_message = "Another store already has this name."


class ReauthenticationRequired(PermissionDenied):
    code = "reauthentication_required"
    default_message = "Confirm your current password to change payout details."
