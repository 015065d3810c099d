"""Delivering messages beyond the inbox: by email (Django's SMTP backend, configured by environment) and by a signed
webhook (HTTP POST of JSON, HMAC-SHA256 over the exact body, for a province's SMS or 政务 messaging gateway).

Runs in the worker after the message's transaction has committed (`notifications.tasks.deliver`), retried with
backoff; each channel is marked when it succeeds, so a retry never sends the same email twice. The payload:

    {"event": "message", "id": "<uuid>", "kind": "notice.sent", "kind_label": "检验结果通知", "legal": true,
     "recipient": {"id": "<uuid>", "username": "...", "name": "...", "email": "...", "phone": "..."},
     "subject": "...", "body": "...", "link": "https://…/lab/reports/BG-…/", "about": "notice:<uuid>",
     "created_at": "2026-12-06T02:00:00Z"}

with the headers `X-Choujian-Timestamp: <unix seconds>` and
`X-Choujian-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + body, keyed with CHOUJIAN_WEBHOOK_SECRET>`.
"""

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.request
from html import escape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from choujian.notifications import kinds
from choujian.notifications.models import Message, Preference

WEBHOOK_TIMEOUT = 10


class DeliveryError(RuntimeError):
    pass


def absolute(link: str) -> str:
    base = (settings.CHOUJIAN_PUBLIC_URL or f"http://127.0.0.1:{settings.PORT}").rstrip("/")
    return base + link if link.startswith("/") else link


def wants_email(message: Message) -> bool:
    if not settings.CHOUJIAN_EMAIL_ENABLED or not message.recipient.email:
        return False
    if not message.kind or not kinds.switchable(message.kind):
        return True
    chosen = Preference.objects.filter(user=message.recipient, kind=message.kind).values_list("email", flat=True)
    return next(iter(chosen), True)


def send_email(message: Message) -> None:
    link = absolute(message.link) if message.link else ""
    text = "\n\n".join(part for part in (message.body, f"在平台中查看：{link}" if link else "") if part)
    html = "".join(
        [
            f"<p>{escape(message.subject)}</p>",
            "".join(f"<p>{escape(line)}</p>" for line in message.body.splitlines() if line.strip()),
            f'<p><a href="{escape(link)}">在平台中查看</a></p>' if link else "",
            '<p style="color:#667085">此邮件由抽检平台自动发送，请勿直接回复。</p>',
        ]
    )
    mail = EmailMultiAlternatives(
        subject=f"【抽检】{message.subject}", body=text or message.subject, to=[message.recipient.email]
    )
    mail.attach_alternative(html, "text/html")
    mail.send()


def payload(message: Message) -> bytes:
    person = message.recipient
    body = {
        "event": "message",
        "id": str(message.public_id),
        "kind": message.kind,
        "kind_label": kinds.label(message.kind) if message.kind in kinds.KINDS else "",
        "legal": message.kind in kinds.LEGAL,
        "recipient": {
            "id": str(person.public_id),
            "username": person.username,
            "name": str(person),
            "email": person.email,
            "phone": person.phone,
        },
        "subject": message.subject,
        "body": message.body,
        "link": absolute(message.link) if message.link else "",
        "about": message.about,
        "created_at": message.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post_webhook(message: Message) -> None:
    body = payload(message)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        settings.CHOUJIAN_WEBHOOK_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Choujian-Timestamp": timestamp,
            "X-Choujian-Signature": signature(settings.CHOUJIAN_WEBHOOK_SECRET, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 (configured URL)
            if not 200 <= response.status < 300:
                raise DeliveryError(f"webhook answered {response.status}")
    except OSError as exc:
        raise DeliveryError(f"webhook: {exc}") from exc


def deliver(message: Message) -> list[str]:
    """Send the message on every channel it still needs; returns the channels used. Raises after recording the
    error if a channel failed (the task queue retries; channels already done are not repeated)."""
    used, errors = [], []
    try:
        if message.emailed_at is None and wants_email(message):
            try:
                send_email(message)
                message.emailed_at = timezone.now()
                used.append("email")
            except Exception as exc:  # noqa: BLE001 — recorded and retried; the other channel still goes
                errors.append(f"email: {exc}")
        if message.webhook_at is None and settings.CHOUJIAN_WEBHOOK_URL:
            try:
                post_webhook(message)
                message.webhook_at = timezone.now()
                used.append("webhook")
            except Exception as exc:  # noqa: BLE001
                errors.append(str(exc) if isinstance(exc, DeliveryError) else f"webhook: {exc}")
    finally:
        # Saved whatever happened: a channel that succeeded is never repeated by a retry.
        message.delivery_error = "; ".join(errors)[:300]
        message.save(update_fields=["emailed_at", "webhook_at", "delivery_error", "updated_at"])
    if errors:
        raise DeliveryError(message.delivery_error)
    return used


def channels_configured() -> dict[str, bool]:
    return {"email": settings.CHOUJIAN_EMAIL_ENABLED, "webhook": bool(settings.CHOUJIAN_WEBHOOK_URL)}
