from django.urls import path

from choujian.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.ruleset_list, name="list"),
    path("new/", views.ruleset_new, name="new"),
    path("<uuid:public_id>/", views.ruleset_detail, name="detail"),
    # One placeholder per route: the item is named in the query (?item=<code>), the form (delete) or nowhere (new).
    path("<uuid:public_id>/edit/", views.ruleset_edit, name="edit"),
    path("<uuid:public_id>/item/", views.ruleset_item, name="item"),
    path("<uuid:public_id>/item/delete/", views.ruleset_item_delete, name="item_delete"),
    path("<uuid:public_id>/activate/", views.ruleset_transition, {"to": "active"}, name="activate"),
    path("<uuid:public_id>/retire/", views.ruleset_transition, {"to": "retired"}, name="retire"),
]
