from django.urls import path

from choujian.sampling import views

app_name = "sampling"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("samples/", views.sample_list, name="sample_list"),
    path("tasks/<str:code>/", views.task_page, name="task"),
    path("tasks/<str:code>/alternate/", views.alternate_create, name="alternate_create"),
    path("tasks/<str:code>/documents/<uuid:public_id>/", views.delivery_document, name="delivery_document"),
    path("records/<str:code>/", views.record_page, name="record"),
    path("records/<str:code>/seal/", views.record_seal, name="seal"),
    path("records/<str:code>/refuse/", views.record_refuse, name="refuse"),
    path("samples/<str:code>/", views.sample_page, name="sample"),
    path("handovers/<uuid:public_id>/", views.handover_page, name="handover"),
    path("requests/<uuid:public_id>/", views.request_page, name="request"),
    path("evidence/<uuid:public_id>/", views.evidence_file, name="evidence"),
    path("evidence/<uuid:public_id>/thumb/", views.evidence_file, {"variant": "thumb"}, name="evidence_thumb"),
    path("signatures/<uuid:public_id>/", views.signature_image, name="signature"),
]
