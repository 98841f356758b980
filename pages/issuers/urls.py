"""An issuer admin's pages for running their issuer, mounted at /issuers/: its reviewers and their roles."""

from django.urls import path

from pages.issuers import views

app_name = "issuers"
urlpatterns = [
    path("reviewers/", views.reviewers_home, name="reviewers_home"),
    path("<slug:slug>/reviewers/", views.reviewers, name="reviewers"),
    path("<slug:slug>/reviewers/roles/<pk:role_id>/revoke/", views.role_revoke, name="role_revoke"),
]
