from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "shared_domain.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from shared_domain.common import checks  # noqa: F401 - registers the checks
