from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "shared_domain.inventory"
    label = "inventory"
    verbose_name = "Inventory"
