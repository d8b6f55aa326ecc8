"""Payment providers behind one interface (`PaymentProvider`)."""

from shared_domain.payments.providers.base import (
    Charge,
    ChargeRequest,
    Notice,
    PaymentProvider,
    RefundNotice,
    RefundResult,
    Share,
    Verification,
    provider_codes,
    provider_enabled,
    provider_get,
    provider_register,
)
from shared_domain.payments.providers.paystack import Paystack
from shared_domain.payments.providers.stripe import Stripe

provider_register(Paystack())
provider_register(Stripe())

__all__ = [
    "Charge",
    "ChargeRequest",
    "Notice",
    "PaymentProvider",
    "RefundNotice",
    "RefundResult",
    "Share",
    "Verification",
    "provider_codes",
    "provider_enabled",
    "provider_get",
    "provider_register",
]
