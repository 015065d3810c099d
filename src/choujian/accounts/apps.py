from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "choujian.accounts"
    label = "accounts"
    verbose_name = "机构与用户"
