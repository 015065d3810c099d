from django.urls import path

from choujian.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rates/", views.rates, name="rates"),
    path("results/", views.results, name="results"),
    path("funnel/", views.funnel, name="funnel"),
    path("projects/", views.projects, name="projects"),
    path("risk/", views.risk_scores, name="risk"),
    path("risk/signals/", views.signal_create, name="signal_create"),
    path("risk/signals/<uuid:public_id>/withdraw/", views.signal_withdraw, name="signal_withdraw"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/<str:code>/", views.warning_detail, name="warning"),
    path("warnings/<str:code>/close/", views.warning_close, name="warning_close"),
    path("history/", views.history, name="history"),
]
