from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shared_domain.shipping"
    label = "shipping"
    verbose_name = "Shipping"
