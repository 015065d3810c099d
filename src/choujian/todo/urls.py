from django.urls import path

from choujian.todo import views

urlpatterns = [
    path("", views.home, name="home"),
]
