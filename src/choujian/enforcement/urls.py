from django.urls import path

from choujian.enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<str:code>/", views.case_page, name="case"),
    path("<str:code>/step/", views.case_action, {"action": "step"}, name="step"),
    path("<str:code>/suspend/", views.case_action, {"action": "suspend"}, name="suspend"),
    path("<str:code>/resume/", views.case_action, {"action": "resume"}, name="resume"),
    path("<str:code>/acknowledge/", views.case_action, {"action": "acknowledge"}, name="acknowledge"),
]
