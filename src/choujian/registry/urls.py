from django.urls import path

from choujian.registry import views, views_tabular

app_name = "registry"
urlpatterns = [
    path("options/<slug:source>/", views.option_list, name="option_list"),
    path("documents/<uuid:public_id>/", views.delivery_document_download, name="document_download"),
    path("<slug:kind>/", views.object_list, name="object_list"),
    path("<slug:kind>/new/", views.object_create, name="object_create"),
    path("<slug:kind>/import/", views_tabular.import_page, name="import_page"),
    path("<slug:kind>/import/template/", views_tabular.import_template, name="import_template"),
    path("<slug:kind>/export/", views_tabular.export, name="export"),
    path("<slug:kind>/<uuid:public_id>/", views.object_detail, name="object_detail"),
    path("<slug:kind>/<uuid:public_id>/edit/", views.object_edit, name="object_edit"),
    path("<slug:kind>/<uuid:public_id>/archive/", views.object_archive, name="object_archive"),
    path("delivery/<uuid:public_id>/documents/", views.delivery_document_upload, name="delivery_document_upload"),
]
