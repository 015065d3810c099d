from django.urls import path

from choujian.accounts import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("enrolment-codes/", views.enrolment_codes, name="enrolment_codes"),
    path("password/", views.password_change, name="password_change"),
    path("reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
]
