from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "choujian.operations"
    verbose_name = "运行维护"
