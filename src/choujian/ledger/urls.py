from django.urls import path

from choujian.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.home, name="home"),
]
