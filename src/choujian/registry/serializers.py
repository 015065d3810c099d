"""Thin API serializers for the registries: shapes and references only; rules live in models and services."""

from django.db import models
from rest_framework import serializers

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.selectors import active_organisations
from choujian.core.dates import DateSerializerField
from choujian.core.examples import documented
from choujian.registry import selectors
from choujian.registry.models import Delivery, DeliveryDocument, Enterprise, Product, ProductCategory, Project, Section


class ScopedSlugField(serializers.SlugRelatedField):
    """A reference by public id that only resolves to rows the requesting user may see."""

    def __init__(self, selector, **kwargs):
        self.selector = selector
        kwargs.setdefault("slug_field", "public_id")
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        from django.contrib.auth.models import AnonymousUser

        return self.selector(request.user if request else AnonymousUser())

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except (TypeError, ValueError):
            self.fail("invalid")


class VersionedSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    version = serializers.IntegerField(required=False, min_value=1, help_text="修改时必填：读取时的版本号")
    serializer_field_mapping = serializers.ModelSerializer.serializer_field_mapping | {
        models.DateField: DateSerializerField
    }


@documented(
    {
        "uscc": "91350121MA2Y8K3J43",
        "name": "福建闽侯永固交通设施有限公司",
        "region": "350121",
        "address": "福建省福州市闽侯县上街镇工业路 8 号",
        "licence_no": "",
        "status": "active",
    }
)
class EnterpriseSerializer(VersionedSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "uscc", "name", "region", "address", "licence_no", "status", "status_label", "version"]
        extra_kwargs = {"uscc": {"validators": []}}


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ProductCategory
        fields = ["code", "name", "parent", "standard"]


@documented(
    {
        "enterprise": "00000000-0000-4000-8000-000000000000",
        "category": "JT-0101",
        "name": "波形梁钢护栏",
        "brand": "永固",
        "model_spec": "Gr-A-4E",
        "standard": "GB/T 31439.1-2015",
        "status": "active",
    }
)
class ProductSerializer(VersionedSerializer):
    enterprise = ScopedSlugField(selectors.enterprises_visible_to)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", queryset=ProductCategory.objects.all())

    class Meta:
        model = Product
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "category",
            "name",
            "brand",
            "model_spec",
            "standard",
            "status",
            "version",
        ]


def _owners(user):
    return active_organisations(OrganisationKind.KIND_OWNER)


def _organisations(user):
    return active_organisations()


@documented(
    {
        "name": "G316 闽侯段改扩建工程",
        "owner": "00000000-0000-4000-8000-000000000000",
        "region": "350121",
        "latitude": "26.150000",
        "longitude": "119.130000",
    }
)
class ProjectSerializer(VersionedSerializer):
    owner = ScopedSlugField(_owners)
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "name", "owner", "owner_name", "region", "latitude", "longitude", "version"]


@documented(
    {
        "project": "00000000-0000-4000-8000-000000000000",
        "name": "A3 标",
        "contractor": "00000000-0000-4000-8000-000000000000",
        "supervisor": "00000000-0000-4000-8000-000000000000",
    }
)
class SectionSerializer(VersionedSerializer):
    project = ScopedSlugField(selectors.projects_visible_to)
    contractor = ScopedSlugField(_organisations)
    supervisor = ScopedSlugField(_organisations)

    class Meta:
        model = Section
        fields = ["id", "project", "name", "contractor", "supervisor", "contract_price", "version"]


class DocumentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = DeliveryDocument
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "created_at"]


@documented(
    {
        "section": "00000000-0000-4000-8000-000000000000",
        "product": "00000000-0000-4000-8000-000000000000",
        "batch_no": "2026-1201",
        "quantity": "120.000",
        "unit": "t",
        "delivered_on": "2026-12-01",
    }
)
class DeliverySerializer(VersionedSerializer):
    section = ScopedSlugField(selectors.sections_visible_to)
    product = ScopedSlugField(selectors.products_selectable_by)
    product_name = serializers.CharField(source="product.name", read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "section",
            "product",
            "product_name",
            "batch_no",
            "quantity",
            "unit",
            "delivered_on",
            "documents",
            "version",
        ]


@documented({"kind": "certificate", "file": "合格证.png"})
class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeliveryDocument._meta.get_field("kind").choices)
    file = serializers.FileField()
