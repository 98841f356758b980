"""An issuer admin's pages for running their issuer, mounted at /issuers/: its reviewers and their roles."""

from django.urls import path

from pages.cohorts import vouchers as cohort_vouchers
from pages.gallery import curation as gallery_curation
from pages.issuers import dashboard, invites, views
from pages.issuers import exports as export_pages
from pages.issuers import reliability as reliability_pages
from pages.pathways import workspace as pathway_pages

app_name = "issuers"
urlpatterns = [
    path("reviewers/", views.reviewers_home, name="reviewers_home"),
    path("<slug:slug>/reviewers/", views.reviewers, name="reviewers"),
    path("<slug:slug>/reviewers/roles/<pk:role_id>/revoke/", views.role_revoke, name="role_revoke"),
    path("<slug:slug>/reviewers/<pk:user_id>/", views.reviewer, name="reviewer"),
    path("<slug:slug>/reviewers/<pk:user_id>/pause/", views.reviewer_pause_view, name="reviewer_pause"),
    path("<slug:slug>/reviewers/<pk:user_id>/resume/", views.reviewer_resume_view, name="reviewer_resume"),
    path("<slug:slug>/reviewers/<pk:user_id>/capacity/", views.reviewer_capacity_view, name="reviewer_capacity"),
    path("<slug:slug>/reviewers/invitations/<pk:invite_id>/resend/", invites.invite_resend, name="invite_resend"),
    path("<slug:slug>/reviewers/invitations/<pk:invite_id>/revoke/", invites.invite_revoke, name="invite_revoke"),
    path("invitations/<str:token>/", invites.invite_accept, name="invite_accept"),
    path("dashboard/", dashboard.dashboard_home, name="dashboard_home"),
    path("<slug:slug>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("<slug:slug>/dashboard/<slug:chart>.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("<slug:slug>/exports/", export_pages.exports, name="exports"),
    path("<slug:slug>/exports/<slug:name>.csv", export_pages.export_download, {"fmt": "csv"}, name="export_csv"),
    path("<slug:slug>/exports/<slug:name>.xlsx", export_pages.export_download, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<slug:slug>/reliability/", reliability_pages.reliability, name="reliability"),
    path(
        "<slug:slug>/reliability/<slug:credential>/reviewers/<pk:user_id>/send-back/",
        reliability_pages.reliability_send_back,
        name="reliability_send_back",
    ),
    path("<slug:slug>/examples/", gallery_curation.examples, name="examples"),
    path("<slug:slug>/examples/<pk:entry_id>/", gallery_curation.example, name="example"),
    path("<slug:slug>/sponsors/", cohort_vouchers.sponsors, name="sponsors"),
    path("<slug:slug>/sponsors/<pk:organisation_id>/", cohort_vouchers.sponsor_set, name="sponsor_set"),
    path("<slug:slug>/pathways/", pathway_pages.pathways, name="pathways"),
    path("<slug:slug>/pathways/new/", pathway_pages.pathway_new, name="pathway_new"),
    path("<slug:slug>/pathways/<pk:pathway_id>/", pathway_pages.pathway_edit, name="pathway_edit"),
]
