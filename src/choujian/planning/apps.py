from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "choujian.planning"
    label = "planning"
    verbose_name = "抽查计划"
