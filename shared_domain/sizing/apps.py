from django.apps import AppConfig
from django.core import checks


class SizingConfig(AppConfig):
    name = "shared_domain.sizing"
    label = "sizing"
    verbose_name = "Sizing"

    def ready(self) -> None:
        from shared_domain.sizing import handlers
        from shared_domain.sizing.checks import estimator_importable

        checks.register(estimator_importable)

        handlers.register()
