"""The caller's own messages (站内信): GET /api/v1/inbox/, GET /api/v1/inbox/{id}/, POST /api/v1/inbox/{id}/read/.
Another person's message is not found (404), whatever the method."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from choujian.notifications import selectors, services
from choujian.notifications.models import Message


class MessageSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "subject", "body", "link", "about", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, message: Message) -> bool:
        return message.read_at is not None


class InboxViewSet(viewsets.ReadOnlyModelViewSet):
    """站内信：只列出当前用户自己的消息，最新的在前；`?unread=1` 只看未读。"""

    access = "login"
    serializer_class = MessageSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        messages = selectors.inbox(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            messages = messages.filter(read_at__isnull=True)
        return messages

    @extend_schema(request=None, responses=MessageSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, public_id=None):
        """标记为已读（已读的消息保持原来的阅读时间）。"""
        message = services.message_mark_read(actor=request.user, message=self.get_object())
        return Response(MessageSerializer(message).data)
