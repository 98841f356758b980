from django.urls import path

from pages.submissions import offline, step_views, views

app_name = "submissions"
urlpatterns = [
    path("start/<slug:slug>/", views.start, name="start"),
    path("<pk:submission_id>/", views.detail, name="detail"),
    path("<pk:submission_id>/continue/", views.resume, name="resume"),
    path("<pk:submission_id>/parts/<slug:part_id>/", step_views.part_step, name="part"),
    path("<pk:submission_id>/self-evaluation/", step_views.self_evaluation_step, name="self_evaluation"),
    path("<pk:submission_id>/summary/", views.summary, name="summary"),
    path("<pk:submission_id>/check/", views.check, name="check"),
    path("<pk:submission_id>/form.docx", offline.form_docx, name="form_docx"),
    path("<pk:submission_id>/form.pdf", offline.form_pdf, name="form_pdf"),
    path("<pk:submission_id>/form/upload/", offline.form_upload, name="form_upload"),
    path("<pk:submission_id>/submit/", views.submit, name="submit"),
    path("<pk:submission_id>/attempts/<pk:number>/", views.attempt_detail, name="attempt"),
    path("<pk:submission_id>/attempts/<pk:number>/submitted/", views.submitted, name="submitted"),
    path("<pk:submission_id>/attempts/<pk:number>/withdraw/", views.withdraw, name="withdraw"),
    path("evidence/<pk:evidence_id>/", views.evidence_download, name="evidence"),
]
