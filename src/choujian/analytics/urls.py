from django.urls import path

from choujian.analytics import bulletin_views, lift_views, views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rates/", views.rates, name="rates"),
    path("results/", views.results, name="results"),
    path("funnel/", views.funnel, name="funnel"),
    path("projects/", views.projects, name="projects"),
    path("risk/", views.risk_scores, name="risk"),
    path("risk/lift/", lift_views.lift, name="lift"),
    path("risk/signals/", views.signal_create, name="signal_create"),
    path("risk/signals/<uuid:public_id>/withdraw/", views.signal_withdraw, name="signal_withdraw"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/<str:code>/", views.warning_detail, name="warning"),
    path("warnings/<str:code>/close/", views.warning_close, name="warning_close"),
    path("history/", views.history, name="history"),
    path("labs/", views.labs, name="labs"),
    path("bulletins/", bulletin_views.bulletin_list, name="bulletins"),
    path("bulletins/<str:code>/", bulletin_views.bulletin_detail, name="bulletin"),
    path("bulletins/<str:code>.pdf", bulletin_views.bulletin_pdf_view, name="bulletin_pdf"),
    path("bulletins/<str:code>/edit/", bulletin_views.bulletin_action, {"action": "edit"}, name="bulletin_edit"),
    path(
        "bulletins/<str:code>/publish/", bulletin_views.bulletin_action, {"action": "publish"}, name="bulletin_publish"
    ),
]
