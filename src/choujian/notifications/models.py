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
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = pgettext_lazy("plural", "站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_unread")]

    def __str__(self) -> str:
        return self.subject
