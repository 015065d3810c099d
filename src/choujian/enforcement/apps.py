from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "choujian.enforcement"
    label = "enforcement"
    verbose_name = "后处理"

    def ready(self) -> None:
        from choujian.enforcement import receivers  # noqa: F401  (opens a case when a result becomes final)
