from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "choujian.notifications"
    label = "notifications"
    verbose_name = "站内消息"

    def ready(self) -> None:
        from choujian.ledger.watch import problems_found
        from choujian.notifications.ledger_alerts import tell_guardians

        problems_found.connect(tell_guardians, dispatch_uid="notifications.tell_guardians")
