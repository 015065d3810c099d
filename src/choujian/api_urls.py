"""The REST API under /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from choujian.accounts import api as accounts_api
from choujian.core.access import public
from choujian.registry import api as registry_api
from choujian.registry import api_tabular

router = DefaultRouter()
router.include_root_view = False
router.register("organisations", accounts_api.OrganisationViewSet, basename="organisation")
router.register("categories", registry_api.CategoryViewSet, basename="category")
router.register("enterprises", registry_api.EnterpriseViewSet, basename="enterprise")
router.register("products", registry_api.ProductViewSet, basename="product")
router.register("projects", registry_api.ProjectViewSet, basename="project")
router.register("sections", registry_api.SectionViewSet, basename="section")
router.register("deliveries", registry_api.DeliveryViewSet, basename="delivery")

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("schema/", public(SpectacularAPIView.as_view(permission_classes=[])), name="api-schema"),
    path(
        "docs/", public(SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[])), name="api-docs"
    ),
    path(
        "redoc/", public(SpectacularRedocView.as_view(url_name="api-schema", permission_classes=[])), name="api-redoc"
    ),
    path("imports/<str:kind>/", api_tabular.ImportView.as_view(), name="api-import"),
    path("exports/<str:kind>/", api_tabular.ExportView.as_view(), name="api-export"),
    path("", include(router.urls)),
]
