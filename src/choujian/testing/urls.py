from django.urls import path

from choujian.testing import views

app_name = "testing"
urlpatterns = [
    path("", views.lab_home, name="home"),
    path("oversight/", views.oversight, name="oversight"),
    path("samples/", views.worklist_page, name="worklist"),
    path("reports/", views.report_list, name="report_list"),
    path("intakes/", views.intake_list, name="intake_list"),
    path("intake/<str:code>/", views.intake_page, name="intake"),
    path("samples/<str:lab_code>/", views.lab_sample_page, name="lab_sample"),
    path("samples/<str:lab_code>/label.pdf", views.blind_label, name="blind_label"),
    path("reports/<str:code>/", views.report_page, name="report"),
    path("projects/<uuid:public_id>/results/", views.project_results_page, name="project_results"),
    path("reports/<str:code>/action/", views.report_action, name="report_action"),
]
