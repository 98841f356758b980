"""Authoring pages, mounted under /issuers/ (see pages/issuers/urls.py): /issuers/<slug>/credentials/..."""

from django.urls import path

from pages.authoring import diff, preview, signoff, views

app_name = "authoring"
urlpatterns = [
    path("<slug:slug>/credentials/", views.credentials, name="credentials"),
    path("<slug:slug>/credentials/new/", views.credential_new, name="credential_new"),
    path("<slug:slug>/credentials/import/", views.import_new, name="import"),
    path("<slug:slug>/credentials/<slug:credential>/draft/", views.draft, name="draft"),
    path("<slug:slug>/credentials/<slug:credential>/draft/start/", views.draft_begin, name="draft_start"),
    path("<slug:slug>/credentials/<slug:credential>/draft/publish/", views.draft_publish_view, name="draft_publish"),
    path("<slug:slug>/credentials/<slug:credential>/draft/discard/", views.draft_discard_view, name="draft_discard"),
    path("<slug:slug>/credentials/<slug:credential>/draft/export/", views.draft_export, name="draft_export"),
    path("<slug:slug>/credentials/<slug:credential>/draft/import/", views.draft_import_view, name="draft_import"),
    path("<slug:slug>/credentials/<slug:credential>/draft/<slug:section>/", views.draft_section, name="draft_section"),
    path(
        "<slug:slug>/credentials/<slug:credential>/versions/<int:number>/export/",
        views.version_export,
        name="version_export",
    ),
    path("<slug:slug>/credentials/<slug:credential>/preview/", preview.preview, name="preview"),
    path("<slug:slug>/credentials/<slug:credential>/preview/form/", preview.preview_form, name="preview_form"),
    path("<slug:slug>/credentials/<slug:credential>/preview/scoring/", preview.preview_scoring, name="preview_scoring"),
    path("<slug:slug>/credentials/<slug:credential>/versions/", diff.versions, name="versions"),
    path("<slug:slug>/credentials/<slug:credential>/versions/diff/", diff.diff, name="diff"),
    path("<slug:slug>/credentials/<slug:credential>/markers/", signoff.markers, name="markers"),
    path("<slug:slug>/credentials/<slug:credential>/markers/signoff/", signoff.marker_signoff, name="marker_signoff"),
]
