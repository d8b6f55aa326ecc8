"""Writes of the accounts context: registration, one-time codes, sign-in and tokens,
passwords, profiles. Both APIs call these; the rules live here.

Callers use this package (`services.user_register(...)`); the modules are its seams.
"""

from shared_domain.accounts.services.codes import one_time_code_issue
from shared_domain.accounts.services.passwords import (
    password_change,
    password_reset_confirm,
    password_reset_request,
)
from shared_domain.accounts.services.profiles import (
    UserUpdate,
    VendorProfileUpdate,
    user_profile_ensure,
    user_role_change,
    user_update,
    vendor_profile_update,
)
from shared_domain.accounts.services.provisioning import account_provision, password_hash
from shared_domain.accounts.services.registration import (
    email_verify,
    user_register,
    verification_code_resend,
)
from shared_domain.accounts.services.sessions import (
    SignIn,
    TokenPair,
    session_login,
    token_refresh,
    token_revoke,
)

__all__ = [
    "SignIn",
    "TokenPair",
    "UserUpdate",
    "VendorProfileUpdate",
    "account_provision",
    "email_verify",
    "one_time_code_issue",
    "password_change",
    "password_hash",
    "password_reset_confirm",
    "password_reset_request",
    "session_login",
    "token_refresh",
    "token_revoke",
    "user_profile_ensure",
    "user_register",
    "user_role_change",
    "user_update",
    "vendor_profile_update",
    "verification_code_resend",
]
