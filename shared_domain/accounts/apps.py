from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shared_domain.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from shared_domain.accounts import events, handlers
        from shared_domain.common.events import subscribe

        subscribe(events.UserRegistered, handlers.send_verification_code)
        subscribe(events.VerificationCodeRequested, handlers.send_verification_code)
        subscribe(events.PasswordResetRequested, handlers.send_password_reset_code)
        subscribe(events.PasswordChanged, handlers.send_password_changed_notice)
        subscribe(events.VendorPayoutChanged, handlers.send_payout_changed_notice)
