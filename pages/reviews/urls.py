"""The reviewer and issuer-admin pages, mounted at /reviews/ (reviews.links writes these paths into notifications)."""

from django.urls import path

from pages.reviews import admin_views, bulk, evidence, views

app_name = "reviews"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("assignments/<pk:assignment_id>/", views.score, name="score"),
    path("assignments/<pk:assignment_id>/submit/", views.submit, name="submit"),
    path("assignments/<pk:assignment_id>/decline/", views.decline, name="decline"),
    path("calibration/<slug:slug>/", views.calibration, name="calibration"),
    path("calibration/<slug:slug>/samples/<pk:sample_id>/", views.calibration_sample, name="calibration_sample"),
    path("admin/", admin_views.pipeline, name="pipeline"),
    path("admin/bulk/", bulk.bulk, name="bulk"),
    path("admin/attempts/<pk:attempt_id>/", admin_views.attempt_record, name="attempt_record"),
    path(
        "admin/attempts/<pk:attempt_id>/evidence/<pk:evidence_id>/", evidence.attempt_evidence, name="attempt_evidence"
    ),
    path("admin/assignments/<pk:assignment_id>/reassign/", admin_views.reassign, name="reassign"),
    path("admin/submissions/<pk:submission_id>/extra-attempt/", admin_views.extra_attempt, name="extra_attempt"),
    path("admin/decisions/<pk:decision_id>/override/", admin_views.override, name="override"),
]
