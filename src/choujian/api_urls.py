"""The REST API under /api/v1/."""

from csp.decorators import csp_exempt
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from choujian.accounts import api as accounts_api
from choujian.analytics import api as analytics_api
from choujian.core.access import public
from choujian.draws import api as draws_api
from choujian.draws import plan_api as draws_plan_api
from choujian.enforcement import api as enforcement_api
from choujian.notifications import api as notifications_api
from choujian.planning import api as planning_api
from choujian.registry import api as registry_api
from choujian.registry import api_tabular
from choujian.rules import api as rules_api
from choujian.sampling import api as sampling_api
from choujian.testing import api as testing_api
from choujian.todo import api as todo_api
from choujian.workcalendar import api as calendar_api

router = DefaultRouter()
router.include_root_view = False
router.register("organisations", accounts_api.OrganisationViewSet, basename="organisation")
router.register("categories", registry_api.CategoryViewSet, basename="category")
router.register("enterprises", registry_api.EnterpriseViewSet, basename="enterprise")
router.register("products", registry_api.ProductViewSet, basename="product")
router.register("projects", registry_api.ProjectViewSet, basename="project")
router.register("sections", registry_api.SectionViewSet, basename="section")
router.register("deliveries", registry_api.DeliveryViewSet, basename="delivery")
router.register("plans", planning_api.PlanViewSet, basename="plan")
router.register("tasks", planning_api.TaskViewSet, basename="task")
router.register("plans", draws_plan_api.PlanDrawViewSet, basename="plan-draw")
router.register("tasks", draws_plan_api.TaskReplaceViewSet, basename="task-draw")
router.register("sampling-records", sampling_api.RecordViewSet, basename="sampling-record")
router.register("samples", sampling_api.SampleViewSet, basename="sample")
router.register("portions", sampling_api.PortionViewSet, basename="portion")
router.register("evidence", sampling_api.EvidenceViewSet, basename="evidence")
router.register("signatures", sampling_api.SignatureViewSet, basename="signature")
router.register("handovers", sampling_api.HandoverViewSet, basename="handover")
router.register("alternate-requests", sampling_api.AlternateRequestViewSet, basename="alternate-request")
router.register("rules", rules_api.RuleSetViewSet, basename="ruleset")
router.register("lab/worklist", testing_api.WorklistViewSet, basename="lab-sample")
router.register("reports", testing_api.ReportViewSet, basename="report")
router.register("objections", testing_api.ObjectionViewSet, basename="objection")
router.register("retests", testing_api.RetestViewSet, basename="retest")
router.register("outcomes", testing_api.OutcomeViewSet, basename="outcome")
router.register("inbox", notifications_api.InboxViewSet, basename="message")
router.register("enforcement/cases", enforcement_api.CaseViewSet, basename="case")

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("todo/", todo_api.TodoView.as_view(), name="api-todo"),
    path("stats/pass-rates/", analytics_api.PassRateView.as_view(), name="api-pass-rates"),
    path("stats/lift/", analytics_api.LiftView.as_view(), name="api-lift"),
    path("risk/scores/", analytics_api.RiskScoreView.as_view(), name="api-risk-scores"),
    path("bulletins/", analytics_api.BulletinListView.as_view(), name="api-bulletins"),
    path("lab/comparison/", analytics_api.LabComparisonView.as_view(), name="api-lab-comparison"),
    path("schema/", public(SpectacularAPIView.as_view(permission_classes=[])), name="api-schema"),
    path(
        "docs/",
        # Swagger UI starts itself from an inline script: the one page exempt from the script policy.
        public(csp_exempt()(SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[]))),
        name="api-docs",
    ),
    path("imports/<str:kind>/", api_tabular.ImportView.as_view(), name="api-import"),
    path("exports/<str:kind>/", api_tabular.ExportView.as_view(), name="api-export"),
    path("draws/", draws_api.DrawListView.as_view(), name="api-draw-list"),
    path("draws/<uuid:public_id>/", draws_api.DrawDetailView.as_view(), name="api-draw-detail"),
    path("draws/<uuid:public_id>/record", draws_api.DrawRecordView.as_view(), name="api-draw-record"),
    path("ceremony/<str:token>/", draws_api.CeremonyParticipantView.as_view(), name="api-ceremony"),
    path("ceremony/<str:token>/commit/", draws_api.CeremonyCommitView.as_view(), name="api-ceremony-commit"),
    path("ceremony/<str:token>/reveal/", draws_api.CeremonyRevealView.as_view(), name="api-ceremony-reveal"),
    path("calendar/deadline/", calendar_api.DeadlineView.as_view(), name="api-calendar-deadline"),
    path("calendar/years/", calendar_api.YearListView.as_view(), name="api-calendar-years"),
    path("calendar/years/<int:year>/", calendar_api.YearDetailView.as_view(), name="api-calendar-year"),
    path("rules/evaluate/", rules_api.EvaluateView.as_view(), name="api-rules-evaluate"),
    path("lab/intake/", testing_api.IntakeView.as_view(), name="api-lab-intake"),
    path("lab/comparison/", testing_api.ComparisonView.as_view(), name="api-lab-comparison"),
    # The PDFs are named like files (no trailing slash), as the sample's documents are cited elsewhere.
    path(
        "samples/<str:code>/labels.pdf",
        sampling_api.SampleViewSet.as_view({"get": "labels"}),
        name="sample-labels-pdf",
    ),
    path(
        "samples/<str:code>/sampling-form.pdf",
        sampling_api.SampleViewSet.as_view({"get": "sampling_form"}),
        name="sample-sampling-form-pdf",
    ),
    path("", include(router.urls)),
]
