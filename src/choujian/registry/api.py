"""REST endpoints for the registries: thin viewsets over selectors and services."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as serializers_
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from choujian.core.api import ScopedModelViewSet
from choujian.core.examples import documented
from choujian.core.parsers import BoundedJSONParser as JSONParser
from choujian.core.parsers import FormParser, MultiPartParser
from choujian.registry import filters, selectors, serializers, services


@documented({"reason": "企业已注销，不再纳入抽样框"})
class ArchiveSerializer(serializers_.Serializer):
    reason = serializers_.CharField(max_length=300, help_text="归档原因")


class ArchiveActions:
    """归档 / 恢复: what deleting a record others rely on becomes (ledgered, reversible by an administrator)."""

    @extend_schema(request=ArchiveSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, **kwargs):
        form = ArchiveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        done = services.registry_archive(actor=request.user, instance=self.get_object(), **form.validated_data)
        return Response(self.get_serializer(done).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def unarchive(self, request, **kwargs):
        done = services.registry_unarchive(actor=request.user, instance=self.get_object())
        return Response(self.get_serializer(done).data)


class EnterpriseViewSet(ArchiveActions, ScopedModelViewSet, viewsets.ModelViewSet):
    """生产企业: regulators see their region; enterprise staff their own; construction parties their suppliers."""

    serializer_class = serializers.EnterpriseSerializer
    selector = staticmethod(selectors.enterprises_visible_to)
    create_service = staticmethod(services.enterprise_create)
    update_service = staticmethod(services.enterprise_update)
    delete_service = staticmethod(services.enterprise_delete)
    object_arg = "enterprise"
    filterset_class = filters.EnterpriseFilter
    search_fields = ["name", "uscc", "address", "licence_no"]
    ordering_fields = ["name", "region", "created_at"]


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """产品类别 (a national vocabulary, read-only here)."""

    access = "login"
    serializer_class = serializers.CategorySerializer
    lookup_field = "code"
    search_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.categories_for(self.request.user)


class ProductViewSet(ArchiveActions, ScopedModelViewSet, viewsets.ModelViewSet):
    serializer_class = serializers.ProductSerializer
    selector = staticmethod(selectors.products_visible_to)
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    delete_service = staticmethod(services.product_delete)
    object_arg = "product"
    filterset_class = filters.ProductFilter
    search_fields = ["name", "brand", "model_spec", "enterprise__name"]
    ordering_fields = ["name", "created_at"]


class ProjectViewSet(ScopedModelViewSet, viewsets.ModelViewSet):
    serializer_class = serializers.ProjectSerializer
    selector = staticmethod(selectors.projects_visible_to)
    create_service = staticmethod(services.project_create)
    update_service = staticmethod(services.project_update)
    delete_service = staticmethod(services.project_delete)
    object_arg = "project"
    filterset_class = filters.ProjectFilter
    search_fields = ["name", "owner__name"]
    ordering_fields = ["name", "region"]


class SectionViewSet(ScopedModelViewSet, viewsets.ModelViewSet):
    serializer_class = serializers.SectionSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    selector = staticmethod(selectors.sections_visible_to)
    create_service = staticmethod(services.section_create)
    update_service = staticmethod(services.section_update)
    object_arg = "section"
    search_fields = ["name", "project__name"]


class DeliveryViewSet(ArchiveActions, ScopedModelViewSet, viewsets.ModelViewSet):
    serializer_class = serializers.DeliverySerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    selector = staticmethod(selectors.deliveries_visible_to)
    create_service = staticmethod(services.delivery_create)
    update_service = staticmethod(services.delivery_update)
    delete_service = staticmethod(services.delivery_delete)
    object_arg = "delivery"
    filterset_class = filters.DeliveryFilter
    search_fields = ["batch_no", "product__name", "section__project__name"]
    ordering_fields = ["delivered_on", "batch_no"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("documents")

    @extend_schema(
        request={"multipart/form-data": serializers.DocumentUploadSerializer},
        responses={201: serializers.DocumentSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, public_id=None):
        """Attach a certificate of conformity, factory test report or delivery note (hashed on arrival)."""
        delivery = get_object_or_404(self.get_queryset(), public_id=public_id)
        form = serializers.DocumentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        document = services.delivery_document_attach(
            actor=request.user, delivery=delivery, kind=form.validated_data["kind"], upload=form.validated_data["file"]
        )
        return Response(serializers.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)
