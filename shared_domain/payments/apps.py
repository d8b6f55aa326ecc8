from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "shared_domain.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from shared_domain.payments import handlers

        handlers.register()
