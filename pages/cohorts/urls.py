"""The groups at /groups/: an educator's groups and invitations, the platform admin's organisations, and each
group's pages for its coordinators. The issuer admin's Sponsors page is in pages/issuers/urls.py."""

from django.urls import URLPattern, URLResolver, path

from pages.cohorts import manage, views
from pages.cohorts import vouchers as voucher_pages

app_name = "cohorts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.groups, name="groups"),
    path("manage/", manage.manage, name="manage"),
    path("invitations/<str:token>/", views.invite_link, name="invite_link"),
    path("memberships/<pk:member_id>/accept/", views.membership_accept, name="membership_accept"),
    path("memberships/<pk:member_id>/decline/", views.membership_decline, name="membership_decline"),
    path("memberships/<pk:member_id>/consent/", views.membership_consent, name="membership_consent"),
    path("memberships/<pk:member_id>/leave/", views.membership_leave, name="membership_leave"),
    path("<slug:slug>/", views.members, name="members"),
    path("<slug:slug>/members/<pk:member_id>/remove/", views.member_remove_view, name="member_remove"),
    path("<slug:slug>/members.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("<slug:slug>/members.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<slug:slug>/vouchers/", voucher_pages.vouchers, name="vouchers"),
    path("<slug:slug>/vouchers/<pk:voucher_id>/revoke/", voucher_pages.voucher_revoke_view, name="voucher_revoke"),
]
