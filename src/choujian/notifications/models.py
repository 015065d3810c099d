"""In-app messages: what the platform tells a person about their own work."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.core.models import PublicModel


class Message(PublicModel):
    """One message to one person, with a link to what it is about; read once opened."""

    ledger_exempt = "通知副本，内容来自已记入日志的事件 / a copy of news about ledgered events, not a record of its own"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    about = models.CharField(_("相关记录"), max_length=120, blank=True, help_text=_("消息所涉记录的追溯编号"))
    kind = models.CharField(_("类别"), max_length=40, blank=True, help_text=_("产生消息的事件，如 notice.sent"))
    emailed_at = models.DateTimeField(_("邮件发出时间"), null=True, blank=True)
    webhook_at = models.DateTimeField(_("推送时间"), null=True, blank=True)
    delivery_error = models.CharField(_("最近一次发送错误"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = pgettext_lazy("plural", "站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_unread")]

    def __str__(self) -> str:
        return self.subject


class Preference(models.Model):
    """Whether a person also wants one kind of message by email (the inbox always has it). Kinds that are legal
    notices cannot be switched off."""

    ledger_exempt = "个人的通知偏好，不是业务记录 / a person's notification preference, not a record of the work"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_preferences")
    kind = models.CharField(_("类别"), max_length=40)
    email = models.BooleanField(_("邮件"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = pgettext_lazy("plural", "通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="uniq_preference_kind")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {'email' if self.email else 'inbox'}"
