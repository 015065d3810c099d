from django.urls import path

from choujian.disclosure import feeds, views

app_name = "disclosure"

urlpatterns = [
    path("", views.portal, name="portal"),
    path("announcements/<str:code>/", views.announcement, name="announcement"),
    path("announcements/<str:code>.pdf", views.announcement_pdf, name="announcement_pdf"),
    path("announcements/<str:code>/publish/", views.announcement_action, {"action": "publish"}, name="publish"),
    path("announcements/<str:code>/edit/", views.announcement_action, {"action": "edit"}, name="edit"),
    path("announcements/<str:code>/correct/", views.announcement_action, {"action": "correct"}, name="correct"),
    path("announcements/<str:code>/withdraw/", views.announcement_action, {"action": "withdraw"}, name="withdraw"),
    path("enterprises/<str:uscc>/", views.enterprise, name="enterprise"),
    path("results/<uuid:row_id>/", views.result, name="result"),
    path("results/<uuid:row_id>/report/", views.error_report, name="error_report"),
    path("results/<uuid:row_id>/answer/", views.error_answer, name="error_answer"),
    path("results.csv", feeds.results_table, {"kind": "csv"}, name="results_csv"),
    path("results.xlsx", feeds.results_table, {"kind": "xlsx"}, name="results_xlsx"),
    path("bulk/<int:year>.zip", feeds.bulk_archive, name="bulk"),
    path("changes/", feeds.changes, name="changes"),
    path("changes.atom", feeds.changes_atom, name="changes_atom"),
    path("manage/", views.manage, name="manage"),
    path("manage/draft/", views.draft, name="draft"),
]
