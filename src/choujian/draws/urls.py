from django.urls import path

from choujian.draws import views

app_name = "draws"
urlpatterns = [
    path("verify.py", views.verifier_source, name="verifier"),
    path("<uuid:public_id>/", views.public_draw, name="public"),
]

# Mounted at /ceremony/ by the project's urls: a participant's personal link.
ceremony_urlpatterns = (
    [path("<str:token>/", views.participant_page, name="participant")],
    "ceremony",
)
