from django.urls import path

from choujian.workcalendar import views

app_name = "workcalendar"

urlpatterns = [
    path("", views.year_list, name="years"),
    path("<int:year>/", views.year_detail, name="year"),
    path("<int:year>/edit/", views.year_edit, name="edit"),
]
