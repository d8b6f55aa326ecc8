from django.apps import AppConfig


class AsyncServiceConfig(AppConfig):
    """The async deployable as an app: only so that its own system checks are
    registered where they apply (it has no models)."""

    name = "async_service"
    label = "async_service"
    verbose_name = "Async API"

    def ready(self) -> None:
        from async_service import checks  # noqa: F401 - registers the checks
