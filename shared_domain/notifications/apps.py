from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shared_domain.notifications"
    label = "notifications"
    verbose_name = "Notifications"
