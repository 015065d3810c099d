"""API for spreadsheet import and export of the registries: POST imports/<kind>/, GET exports/<kind>/ under /api/v1/."""

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from choujian.accounts.choices import Role
from choujian.core import tabular
from choujian.core.examples import documented
from choujian.core.parsers import FormParser, MultiPartParser
from choujian.registry import exporters, importers

# The API names collections in the plural; the registry pages and the importer use the singular.
API_KINDS = {"enterprises": "enterprise", "products": "product", "projects": "project", "deliveries": "delivery"}

KIND_PARAMETER = OpenApiParameter(
    "kind",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=list(API_KINDS),
    description="登记簿：企业、产品、项目、进场批次",
)


@documented({"file": "企业名录.xlsx"})
class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".xlsx，或 UTF-8/GBK 编码的 .csv；第 1 行为列名，最多 10000 行、10 MB")
    mode = serializers.ChoiceField(
        choices=[("create", "只新登记"), ("update", "更新已登记的记录，其余新登记")],
        default="create",
        required=False,
        help_text="update：企业按统一社会信用代码、产品和项目按平台编号（导出文件中的“产品编号”“项目编号”）修改已登记的记录",
    )
    dry_run = serializers.BooleanField(
        default=False, required=False, help_text="只预览（update 模式）：列出将新登记和修改的行，不写入"
    )
    expected = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="可选：预览返回的 digest；登记簿在预览后变化则不写入（409）",
    )


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="电子表格中的行号（表头为第 1 行）")
    column = serializers.CharField(allow_null=True, help_text="列名")
    message = serializers.CharField()


class ImportFailureSerializer(serializers.Serializer):
    errors = ImportErrorSerializer(many=True, help_text=f"最多列出 {importers.MAX_LISTED_ERRORS} 处")
    omitted = serializers.IntegerField(help_text="未列出的其余错误数")
    detail = serializers.CharField()


ImportSuccessSerializer = inline_serializer("ImportSuccess", {"created": serializers.IntegerField()})
_ROW_CHANGE = inline_serializer(
    "ImportRowChange",
    {
        "row": serializers.IntegerField(),
        "label": serializers.CharField(),
        "changes": inline_serializer(
            "ImportColumnChange",
            {"column": serializers.CharField(), "before": serializers.CharField(), "after": serializers.CharField()},
            many=True,
        ),
    },
    many=True,
)
ImportUpdateSerializer = inline_serializer(
    "ImportUpdate",
    {
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "preview": serializers.BooleanField(),
        "digest": serializers.CharField(),
        "new_rows": _ROW_CHANGE,
        "changed_rows": _ROW_CHANGE,
    },
)
ExportErrorSerializer = inline_serializer("ExportError", {"detail": serializers.CharField()})


def _kind(api_kind: str) -> str:
    if api_kind not in API_KINDS:
        raise Http404("没有这种登记簿")
    return API_KINDS[api_kind]


def _require_reader(request) -> None:
    if not request.user.has_any_role(Role.REGISTRY_READERS):
        raise PermissionDenied("您的角色无权导入或导出登记簿")


class ImportView(APIView):
    """Import a whole spreadsheet: every row is checked first; any error and nothing is written."""

    access = "login"
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="registry_import",
        parameters=[KIND_PARAMETER],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            200: OpenApiResponse(ImportUpdateSerializer, description="预览（dry_run）：没有写入"),
            201: PolymorphicProxySerializer("ImportDone", [ImportSuccessSerializer, ImportUpdateSerializer], None),
            400: OpenApiResponse(ImportFailureSerializer, description="没有导入任何数据；errors 指出出错的行和列"),
            409: OpenApiResponse(ImportUpdateSerializer, description="登记簿在预览后已变化：没有写入，返回新的预览"),
        },
    )
    def post(self, request, kind: str):
        registry_kind = _kind(kind)
        _require_reader(request)
        options = ImportUploadSerializer(data=request.data)
        if not options.is_valid():
            errors = [
                importers.RowError(None, None, f"{name}：{'；'.join(str(m) for m in messages)}")
                for name, messages in options.errors.items()
            ]
            result = importers.ImportResult(kind=registry_kind, errors=errors)
            return Response(result.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        update = options.validated_data["mode"] == "update"
        result = importers.import_upload(
            actor=request.user,
            kind=registry_kind,
            upload=options.validated_data["file"],
            update=update,
            preview=update and options.validated_data["dry_run"],
            expected=options.validated_data.get("expected", ""),
        )
        if not result.ok:
            return Response(result.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        if result.stale:
            return Response(result.as_dict(), status=status.HTTP_409_CONFLICT)
        return Response(result.as_dict(), status=status.HTTP_200_OK if result.preview else status.HTTP_201_CREATED)


class ExportView(APIView):
    """Download the rows of a registry the user may see, as .xlsx or .csv (UTF-8 with BOM)."""

    access = "login"
    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request, force=False):
        # `?format=` chooses the file type here, not a DRF renderer; errors are always JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="registry_export",
        parameters=[
            KIND_PARAMETER,
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(exporters.FORMATS), description="默认 xlsx"),
            OpenApiParameter("q", OpenApiTypes.STR, description="搜索：名称、代码等"),
        ],
        responses={
            (200, tabular.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
            400: ExportErrorSerializer,
        },
    )
    def get(self, request, kind: str):
        registry_kind = _kind(kind)
        _require_reader(request)
        fmt = request.query_params.get("format", "xlsx").strip().lower()
        if fmt not in exporters.FORMATS:
            return Response({"detail": "导出格式只能是 xlsx 或 csv"}, status=status.HTTP_400_BAD_REQUEST)
        exported = exporters.export_file(
            user=request.user, kind=registry_kind, fmt=fmt, q=request.query_params.get("q", "")
        )
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = content_disposition_header(True, exported.filename)
        response["X-Content-Type-Options"] = "nosniff"
        return response
