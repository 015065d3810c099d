from django.urls import path

from choujian.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("preferences/", views.preferences, name="preferences"),
    path("<uuid:public_id>/open/", views.message_open, name="open"),
]
