from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "choujian.analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from choujian.analytics import receivers  # noqa: F401  (a result counts the moment it becomes final)
