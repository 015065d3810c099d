from django.apps import AppConfig


class WorkCalendarConfig(AppConfig):
    name = "choujian.workcalendar"
    label = "workcalendar"
    verbose_name = "节假日与期限"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from choujian.workcalendar.seed import seed_after_migrate

        post_migrate.connect(seed_after_migrate, sender=self)
