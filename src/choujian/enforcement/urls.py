from django.urls import path

from choujian.enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("blacklist/<uuid:public_id>/apply/", views.blacklist_action, {"action": "apply"}, name="repair_apply"),
    path("blacklist/<uuid:public_id>/review/", views.blacklist_action, {"action": "review"}, name="repair_review"),
    path("blacklist/<uuid:public_id>/decide/", views.blacklist_action, {"action": "decide"}, name="repair_decide"),
    path("<str:code>/", views.case_page, name="case"),
    path("<str:code>/step/", views.case_action, {"action": "step"}, name="step"),
    path("<str:code>/recheck/", views.case_action, {"action": "recheck"}, name="recheck"),
    path("<str:code>/suspend/", views.case_action, {"action": "suspend"}, name="suspend"),
    path("<str:code>/resume/", views.case_action, {"action": "resume"}, name="resume"),
    path("<str:code>/acknowledge/", views.case_action, {"action": "acknowledge"}, name="acknowledge"),
    path("<str:code>/documents/<slug:kind>-<int:index>.pdf", views.case_document, name="document_n"),
    path("<str:code>/documents/<slug:kind>.pdf", views.case_document, name="document"),
    path("<str:code>/files/<uuid:public_id>/", views.case_file, name="case_file"),
    path("<str:code>/file/", views.case_action, {"action": "file"}, name="file"),
    path("<str:code>/removal/", views.case_action, {"action": "removal"}, name="removal"),
    path("<str:code>/witness/", views.case_action, {"action": "witness"}, name="witness"),
    path("<str:code>/penalty/", views.case_action, {"action": "penalty"}, name="penalty"),
]
