from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shared_domain.catalog"
    label = "catalog"
    verbose_name = "Catalog"
