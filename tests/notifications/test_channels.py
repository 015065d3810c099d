"""Messages also travel by email (through a real SMTP server started here) and by a signed webhook, each channel
once, retried when it fails; a person may switch email off for a kind, except for legal notices."""

import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

from choujian.core.errors import ServiceError
from choujian.notifications import services
from choujian.notifications.delivery import DeliveryError, deliver
from choujian.notifications.models import Message
from choujian.notifications.tasks import deliver_messages
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's handler name)
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.CHOUJIAN_EMAIL_ENABLED = True
    settings.CHOUJIAN_PUBLIC_URL = "https://choujian.example.gov.cn"
    yield inbox
    controller.stop()


class Hook(BaseHTTPRequestHandler):
    received: list = []
    answer = 200

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append((dict(self.headers), body))
        self.send_response(Hook.answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(settings):
    Hook.received, Hook.answer = [], 200
    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CHOUJIAN_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/choujian"
    settings.CHOUJIAN_WEBHOOK_SECRET = "s3cret-shared-with-the-gateway"
    yield Hook
    server.shutdown()


def _message(kind="notice.sent", **user):
    person = UserFactory(email="qiye@example.cn", **user)
    services.message_send(
        recipients=[person], kind=kind, subject="检验结果通知：报告 BG-2026-000001", body="请签收。", link="/lab/"
    )
    return Message.objects.get(recipient=person)


def test_a_result_notice_arrives_by_email_once(smtp):
    message = _message()
    assert deliver_messages.call_local([str(message.public_id)]) == 1
    assert deliver_messages.call_local([str(message.public_id)]) == 0  # a retry sends nothing twice
    assert len(smtp.envelopes) == 1
    mail = smtp.envelopes[0]
    text = mail.content.decode("utf-8", errors="replace")
    assert mail.rcpt_tos == ["qiye@example.cn"] and "text/html" in text and "text/plain" in text
    message.refresh_from_db()
    assert message.emailed_at is not None and message.delivery_error == ""


def test_email_can_be_switched_off_except_for_legal_notices(smtp):
    reminder = _message(kind="deadline.reminder")
    services.preference_set(actor=reminder.recipient, kind="deadline.reminder", email=False)
    assert deliver(reminder) == []
    with pytest.raises(ServiceError):
        services.preference_set(actor=reminder.recipient, kind="notice.sent", email=False)
    assert deliver(_message(kind="notice.sent")) == ["email"]
    assert len(smtp.envelopes) == 1


def test_the_webhook_is_signed_and_retried_until_it_is_accepted(webhook):
    message = _message()
    webhook.answer = 503
    with pytest.raises(DeliveryError):
        deliver(message)
    message.refresh_from_db()
    assert message.webhook_at is None and "503" in message.delivery_error
    webhook.answer = 200
    assert deliver(message) == ["webhook"]
    headers, body = webhook.received[-1]
    expected = hmac.new(
        b"s3cret-shared-with-the-gateway", headers["X-Choujian-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Choujian-Signature"] == f"sha256={expected}"
    event = json.loads(body)
    assert event["kind"] == "notice.sent" and event["legal"] is True and event["id"] == str(message.public_id)
    assert event["recipient"]["email"] == "qiye@example.cn" and event["subject"].startswith("检验结果通知")


def test_without_channels_messages_stay_in_the_inbox_and_the_page_says_so(client, settings):
    settings.CHOUJIAN_EMAIL_ENABLED, settings.CHOUJIAN_WEBHOOK_URL = False, ""
    message = _message()
    assert deliver(message) == []
    client.force_login(message.recipient)
    assert "邮件通知未开启" in client.get("/inbox/").content.decode()
    page = client.get("/inbox/preferences/").content.decode()
    assert "邮件通知未开启" in page and "法定" in page


def test_an_undeclared_kind_of_message_is_refused():
    with pytest.raises(LookupError):
        services.message_send(recipients=[UserFactory()], kind="made.up", subject="x")
