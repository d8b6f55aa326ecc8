from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shared_domain.accounts"
    label = "accounts"
    verbose_name = "Accounts"
