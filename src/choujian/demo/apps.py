from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set and its `choujian demo` command: built on every context, so no context depends on it."""

    name = "choujian.demo"
    label = "demo"
    verbose_name = "演示数据"
