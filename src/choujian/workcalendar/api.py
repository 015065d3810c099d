"""Calendar API: deadlines on the platform's calendar, the years it holds, and entering a year."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from choujian.core.errors import ServiceError
from choujian.core.parsers import BoundedJSONParser
from choujian.workcalendar import selectors, services
from choujian.workcalendar.presenting import year_payload

DeadlineOut = inline_serializer(
    "Deadline",
    {
        "from": serializers.DateField(),
        "days": serializers.IntegerField(),
        "kind": serializers.ChoiceField(["working", "calendar"]),
        "due": serializers.DateField(),
        "provisional": serializers.BooleanField(),
    },
)


class DeadlineView(APIView):
    """期限计算: the last day of a period of `days` working or calendar days counted from the day after `from`."""

    access = "login"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                required=True,
                description="起算日（事件发生之日，不计入）",
                examples=[OpenApiExample("收到结果通知之日", value="2026-12-04")],
            ),
            OpenApiParameter(
                "days",
                OpenApiTypes.INT,
                required=True,
                description="天数 0–3650",
                examples=[OpenApiExample("15 日", value=15)],
            ),
            OpenApiParameter(
                "kind",
                str,
                enum=["working", "calendar"],
                required=True,
                description="工作日或自然日",
                examples=[OpenApiExample("工作日", value="working")],
            ),
        ],
        responses={200: DeadlineOut},
    )
    def get(self, request):
        params = request.query_params
        missing = {name: ["必填"] for name in ("from", "days", "kind") if not params.get(name)}
        if missing:
            raise ServiceError(missing)
        due = services.deadline_compute(start=params["from"], days=params["days"], kind=params["kind"])
        return Response(
            {
                "from": due.start.isoformat(),
                "days": due.days,
                "kind": due.kind,
                "due": due.due.isoformat(),
                "provisional": due.provisional,
            }
        )


_YEAR_FIELDS = {
    "year": serializers.IntegerField(),
    "status": serializers.ChoiceField(["official", "provisional"]),
    "source": serializers.CharField(),
    "holidays": serializers.ListField(child=serializers.DictField()),
    "workdays": serializers.ListField(child=serializers.DateField()),
}
YearOut = inline_serializer("CalendarYear", _YEAR_FIELDS)
YearListOut = inline_serializer("CalendarYearItem", _YEAR_FIELDS, many=True)
YearIn = inline_serializer(
    "CalendarYearEntry",
    {
        "source": serializers.CharField(help_text="国务院办公厅通知的文号和日期"),
        "reason": serializers.CharField(),
        "holidays": serializers.ListField(
            child=serializers.DictField(), help_text='[{"date": "2027-02-05", "name": "春节"}]'
        ),
        "workdays": serializers.ListField(child=serializers.DateField(), help_text="调休上班日（星期六或星期日）"),
    },
)


class YearListView(APIView):
    """节假日安排: every official year, and provisional ones from the last official year to three years ahead."""

    access = "login"

    @extend_schema(responses={200: YearListOut})
    def get(self, request):
        calendar = selectors.work_calendar()
        records = {r.year: r for r in selectors.official_records()}
        years = selectors.listed_years(timezone.localdate())
        return Response([year_payload(calendar, year, records.get(year)) for year in years])


class YearDetailView(APIView):
    """One year; PUT enters it from the State Council's notice (top regulator administrators only)."""

    access = "login"
    parser_classes = [BoundedJSONParser]  # holidays are a list of objects, which a form cannot carry

    @extend_schema(responses={200: YearOut})
    def get(self, request, year: int):
        if not selectors.FIRST_YEAR <= year <= selectors.LAST_YEAR:
            raise ServiceError({"year": [f"年份应在 {selectors.FIRST_YEAR}–{selectors.LAST_YEAR} 之间"]})
        return Response(year_payload(selectors.work_calendar(), year, selectors.calendar_year_record(year)))

    @extend_schema(
        request=YearIn,
        responses={200: YearOut},
        examples=[
            OpenApiExample(
                "2027 年节假日安排",
                value={
                    "source": "国办发明电〔2026〕12号，2026-11-10",
                    "reason": "国务院办公厅公布 2027 年部分节假日安排",
                    "holidays": [{"date": "2027-01-01", "name": "元旦"}],
                    "workdays": [],
                },
                request_only=True,
            )
        ],
    )
    def put(self, request, year: int):
        data = request.data if isinstance(request.data, dict) else {}
        if not isinstance(request.data, dict):
            raise ServiceError({"non_field_errors": ["请求体应为 JSON 对象"]})
        entry = services.calendar_year_enter(
            actor=request.user,
            year=year,
            source=data.get("source", ""),
            reason=data.get("reason", ""),
            holidays=data.get("holidays", []),
            workdays=data.get("workdays", []),
        )
        body = year_payload(selectors.work_calendar(), year, entry.calendar_year)
        body["recomputed"] = [
            {"deadline": c.deadline.label, "old": c.old_due.isoformat(), "new": c.new_due.isoformat()}
            for c in entry.moved
        ]
        return Response(body)
