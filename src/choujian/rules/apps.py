from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "choujian.rules"
    label = "rules"
    verbose_name = "实施细则"
