"""Shared API plumbing: pagination, error translation, access-declaring base classes."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from choujian.core.errors import ConflictError, ServiceError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConflictError):
        return Response({"detail": str(exc), "version": exc.current_version}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied) and not exc.args:
        return Response({"detail": "您无权执行此操作"}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


class ScopedModelViewSet:
    """Mixin for viewsets over ledgered rows: reads through a selector, writes through services.

    Subclasses set `selector` (user → queryset) and `create_service` / `update_service` / `delete_service`
    (keyword-only services). Rows outside the selector are 404; visible rows the user may not change are 403.
    """

    access = "login"
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    selector = None
    create_service = update_service = delete_service = None
    object_arg = "instance"

    def get_queryset(self):
        return type(self).selector(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = type(self).create_service(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            version = _if_match(self.request)
        if version is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError(
                {"version": ["请提供读取记录时的版本号（version 字段或 If-Match 头），以免覆盖他人的修改"]}
            )
        kwargs = {self.object_arg: serializer.instance, "version": version}
        serializer.instance = type(self).update_service(actor=self.request.user, **kwargs, **data)

    def perform_destroy(self, instance):
        type(self).delete_service(actor=self.request.user, **{self.object_arg: instance})


def _if_match(request) -> int | None:
    raw = request.headers.get("If-Match", "").strip().strip('"')
    return int(raw) if raw.isdigit() else None
