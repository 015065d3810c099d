"""The open data API: `GET /api/open/v1/results/` without a login — published result rows with a stable `id`, their
`version` and `last_updated`, filtered by `since`, `region`, `category`, `year`, `conclusion` and `q`; CORS allowed,
rate limited per address."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle

from choujian.core.errors import ServiceError
from choujian.disclosure import opendata, selectors
from choujian.disclosure.views import _filters, parse_since


class OpenThrottle(AnonRateThrottle):
    scope = "open"


def _field(name: str, title: str):
    if name in ("version", "year"):
        return serializers.IntegerField(read_only=True, help_text=title)
    if name == "failed_items":
        return serializers.JSONField(read_only=True, help_text=f"{title}：[{{item, class, measured, unit, limit}}]")
    return serializers.CharField(read_only=True, allow_null=True, help_text=title)


def _to_representation(self, row):
    return opendata.record(row)


# One published result, as `opendata.record` gives it: the fields are declared there, once, and only described here.
ResultSerializer = type(
    "ResultSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "One published result (抽查结果).",
        **{name: _field(name, title) for name, title in opendata.FIELDS},
        "to_representation": _to_representation,
    },
)


class ResultListView(ListAPIView):
    """抽查结果（公开数据）: every published result, newest announcement first; each correction is a new `version`
    of the same `id`; a withdrawn result keeps `status: withdrawn` and its `reason`."""

    access = "public"
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [OpenThrottle]
    serializer_class = ResultSerializer
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.STR, description="只列出此后更新的结果（ISO 8601）"),
            OpenApiParameter("region", OpenApiTypes.STR, description="6 位行政区划代码，如 350100"),
            OpenApiParameter("category", OpenApiTypes.STR, description="产品类别代码，如 JT-0303"),
            OpenApiParameter("year", OpenApiTypes.INT, description="计划年度"),
            OpenApiParameter("conclusion", OpenApiTypes.STR, description="pass 或 fail"),
            OpenApiParameter("q", OpenApiTypes.STR, description="企业名称、信用代码或产品"),
        ]
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def get_queryset(self):
        filters, problems = _filters(self.request)
        if problems:
            raise ServiceError({"filters": problems})
        try:
            since = parse_since(self.request.query_params.get("since", "").strip())
        except ValueError:
            raise ServiceError({"since": ["应为 ISO 8601 时间，如 2026-12-01 或 2026-12-01T08:00:00+08:00"]}) from None
        rows = selectors.published_rows(self.request.user, **filters).select_related("announcement__plan")
        return rows.filter(last_updated__gt=since) if since is not None else rows
