from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "choujian.enforcement"
    label = "enforcement"
    verbose_name = "后处理"

    def ready(self) -> None:
        from choujian.enforcement import receivers  # noqa: F401  (opens a case when a result becomes final)
        from choujian.enforcement.models import Case
        from choujian.enforcement.services import case_deadline_move
        from choujian.workcalendar.services import deadline_mover_register

        deadline_mover_register(Case, case_deadline_move)  # a case's deadline lives in the case and its open step
