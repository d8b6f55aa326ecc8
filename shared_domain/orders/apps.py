from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shared_domain.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from shared_domain.orders import handlers

        handlers.register()
