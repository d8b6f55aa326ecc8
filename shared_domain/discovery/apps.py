from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "shared_domain.discovery"
    label = "discovery"
    verbose_name = "Discovery"

    def ready(self) -> None:
        from shared_domain.discovery import handlers

        handlers.register()
