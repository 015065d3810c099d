import django_filters

from choujian.registry.models import Delivery, Enterprise, Product, Project


class EnterpriseFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region", lookup_expr="startswith", label="行政区划（前缀）")

    class Meta:
        model = Enterprise
        fields = ["status", "region", "uscc"]


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__code", label="产品类别代码")
    enterprise = django_filters.UUIDFilter(field_name="enterprise__public_id", label="企业")

    class Meta:
        model = Product
        fields = ["category", "enterprise", "status"]


class ProjectFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region", lookup_expr="startswith", label="行政区划（前缀）")

    class Meta:
        model = Project
        fields = ["region"]


class DeliveryFilter(django_filters.FilterSet):
    section = django_filters.UUIDFilter(field_name="section__public_id", label="标段")
    project = django_filters.UUIDFilter(field_name="section__project__public_id", label="项目")
    delivered_after = django_filters.DateFilter(field_name="delivered_on", lookup_expr="gte")
    delivered_before = django_filters.DateFilter(field_name="delivered_on", lookup_expr="lte")

    class Meta:
        model = Delivery
        fields = ["section", "project", "batch_no"]
