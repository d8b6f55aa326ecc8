from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "shared_domain.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from shared_domain.analytics import handlers

        handlers.register()
