from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "shared_domain.common"
    label = "common"
    verbose_name = "Common"
