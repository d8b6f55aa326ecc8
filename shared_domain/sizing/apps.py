from django.apps import AppConfig


class SizingConfig(AppConfig):
    name = "shared_domain.sizing"
    label = "sizing"
    verbose_name = "Sizing"

    def ready(self) -> None:
        from shared_domain.sizing import handlers

        handlers.register()
