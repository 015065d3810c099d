from django.urls import path

from choujian.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<str:code>/", views.task_detail, name="task_detail"),
    path("<str:code>/", views.plan_detail, name="plan_detail"),
    path("<str:code>/edit/", views.plan_edit, name="plan_edit"),
    path("<str:code>/lines/", views.line_add, name="line_add"),
    path("<str:code>/lines/import/", views.lines_import, name="lines_import"),
    path("<str:code>/lines/<uuid:line_id>/remove/", views.line_remove, name="line_remove"),
    path("<str:code>/submit/", views.plan_submit, name="plan_submit"),
    path("<str:code>/approve/", views.plan_approve, name="plan_approve"),
    path("<str:code>/return/", views.plan_return, name="plan_return"),
]
