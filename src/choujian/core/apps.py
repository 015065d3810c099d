from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "choujian.core"
    label = "core"
    verbose_name = "基础"
