from django.contrib import admin
from django.urls import include, path

from choujian.core.access import declare, declare_route
from choujian.disclosure import api as disclosure_api
from choujian.draws.urls import ceremony_urlpatterns
from choujian.enforcement import views as enforcement_views
from choujian.operations import views as operations_views
from choujian.sampling import views as sampling_views
from choujian.testing import views as testing_views

urlpatterns = [
    path("healthz", operations_views.healthz, name="healthz"),
    path("", include("choujian.todo.urls")),
    path("open/", include("choujian.disclosure.urls")),
    path("analytics/", include("choujian.analytics.urls")),
    path("api/open/v1/results/", disclosure_api.ResultListView.as_view(), name="open-results"),
    path("", include("choujian.accounts.urls")),
    path("registry/", include("choujian.registry.urls")),
    path("ledger/", include("choujian.ledger.urls")),
    path("plans/", include("choujian.planning.urls")),
    path("", include("choujian.draws.urls")),
    path("ceremony/", include(ceremony_urlpatterns)),
    path("sampling/", include("choujian.sampling.urls")),
    path("q/<str:code>/<str:token>/", sampling_views.label_scan, name="sample-label"),
    path("lab/", include("choujian.testing.urls")),
    path("enforcement/", include("choujian.enforcement.urls")),
    path("rules/", include("choujian.rules.urls")),
    path("calendar/", include("choujian.workcalendar.urls")),
    path("inbox/", include("choujian.notifications.urls")),
    path("r/<str:token>/", testing_views.report_verify, name="report-verify"),
    path("d/<str:token>/", enforcement_views.document_verify, name="enforcement-document-verify"),
    path("api/v1/", include("choujian.api_urls")),
    path("api/ledger/", include("choujian.ledger.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Third-party views: admin enforces staff login itself; language switching is public by nature.
declare_route("admin/", "staff")
declare("django.views.i18n", "public")
