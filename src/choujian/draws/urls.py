from django.urls import path

from choujian.draws import plan_views, views

app_name = "draws"
urlpatterns = [
    path("draws/verify.py", views.verifier_source, name="verifier"),
    path("draws/<uuid:public_id>/", views.public_draw, name="public"),
    # A plan's frame, ceremony and draw: pages of the plan, kept by the context that builds them.
    path("plans/<str:code>/frame/", plan_views.frame_review, name="frame"),
    path("plans/<str:code>/frame/build/", plan_views.frame_build, name="frame_build"),
    path("plans/<str:code>/freeze/", plan_views.plan_freeze, name="freeze"),
    path("plans/<str:code>/ceremony/", plan_views.ceremony_page, name="ceremony"),
    path("plans/<str:code>/ceremony/link/", plan_views.ceremony_link, name="ceremony_link"),
    path("plans/<str:code>/ceremony/beacon/", plan_views.ceremony_beacon, name="ceremony_beacon"),
    path("plans/<str:code>/close/", plan_views.sampling_close, name="sampling_close"),
    path("plans/<str:code>/external-seed/", plan_views.external_seed, name="external_seed"),
    path("plans/<str:code>/draw/", plan_views.draw_result, name="draw_result"),
    path("plans/<str:code>/replace/", plan_views.task_replace, name="task_replace"),
]

# Mounted at /ceremony/ by the project's urls: a participant's personal link.
ceremony_urlpatterns = (
    [path("<str:token>/", views.participant_page, name="participant")],
    "ceremony",
)
