from tests.integration.orders_api import customer, shop

__all__ = ["customer", "shop"]
