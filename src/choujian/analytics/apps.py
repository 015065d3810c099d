from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "choujian.analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from choujian.analytics import publishing, receivers  # noqa: F401  (results count when final; bulletins publish)
