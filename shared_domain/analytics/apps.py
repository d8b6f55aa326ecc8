from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "shared_domain.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from shared_domain.analytics import handlers, reports, tasks
        from shared_domain.common.selectors import task_status_extras_register

        handlers.register()
        task_status_extras_register(
            task_path=tasks.build_report.module_path, reader=reports.report_task_extras
        )
