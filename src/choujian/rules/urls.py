from django.urls import path

from choujian.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.ruleset_list, name="list"),
    path("new/", views.ruleset_new, name="new"),
    path("<uuid:public_id>/", views.ruleset_detail, name="detail"),
    path("<uuid:public_id>/activate/", views.ruleset_transition, {"to": "active"}, name="activate"),
    path("<uuid:public_id>/retire/", views.ruleset_transition, {"to": "retired"}, name="retire"),
]
