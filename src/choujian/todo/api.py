"""GET /api/v1/todo/: the caller's to-do lines, as on their home page."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from choujian.todo.selectors import todo_for


class LineSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="待办类别")
    label = serializers.CharField(help_text="中文名称")
    count = serializers.IntegerField(help_text="件数")
    oldest_due = serializers.DateField(allow_null=True, help_text="最早的期限（无期限的工作为空）")
    overdue = serializers.IntegerField(help_text="已超期的件数")
    url = serializers.CharField(help_text="列表页面")


class TodoView(APIView):
    """待办：当前用户各类待处理工作的件数、最早期限和超期件数，超期的排在前面。"""

    access = "login"

    @extend_schema(responses=LineSerializer(many=True))
    def get(self, request):
        return Response(LineSerializer(todo_for(request.user), many=True).data)
