from django.urls import path

from pages.submissions import step_views, views

app_name = "submissions"
urlpatterns = [
    path("start/<slug:slug>/", views.start, name="start"),
    path("<int:submission_id>/", views.detail, name="detail"),
    path("<int:submission_id>/continue/", views.resume, name="resume"),
    path("<int:submission_id>/parts/<slug:part_id>/", step_views.part_step, name="part"),
    path("<int:submission_id>/self-evaluation/", step_views.self_evaluation_step, name="self_evaluation"),
    path("<int:submission_id>/summary/", views.summary, name="summary"),
    path("<int:submission_id>/check/", views.check, name="check"),
    path("<int:submission_id>/submit/", views.submit, name="submit"),
    path("<int:submission_id>/attempts/<int:number>/", views.attempt_detail, name="attempt"),
    path("<int:submission_id>/attempts/<int:number>/submitted/", views.submitted, name="submitted"),
    path("<int:submission_id>/attempts/<int:number>/withdraw/", views.withdraw, name="withdraw"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
]
