from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "choujian.notifications"
    label = "notifications"
    verbose_name = "站内消息"
