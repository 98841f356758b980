from django.urls import path, re_path

from pages.accounts import auth_views, deletion, participation, views

app_name = "accounts"

urlpatterns = [
    # allauth's views (pages/accounts/auth_views.py) at our addresses; allauth's own URLs (microcred/urls.py)
    # come after these, so where both name a path this one answers.
    path("login/", auth_views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.SignOutView.as_view(), name="logout"),
    path("signup/", auth_views.SignUpView.as_view(), name="signup"),
    path("signup/check-your-email/", auth_views.verify_sent, name="verify_sent"),
    path("verify/resend/", auth_views.verify_resend, name="verify_resend"),
    path("verify/<str:key>/", auth_views.VerifyView.as_view(), name="verify"),
    path("password/reset/", auth_views.ResetRequestView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.ResetSentView.as_view(), name="password_reset_done"),
    path("password/reset/done/", auth_views.ResetCompleteView.as_view(), name="password_reset_complete"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        auth_views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # Reset links emailed before allauth (Django's uidb64/token) are spent: say so, and offer a new one.
    path("password/reset/<str:uidb64>/<str:token>/", auth_views.reset_link_retired, name="password_reset_retired"),
    path("password/change/", auth_views.ChangePasswordView.as_view(), name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("delete/", deletion.delete, name="delete"),
    path("delete/requested/", deletion.requested, name="deletion_requested"),
    path("delete/cancel/", deletion.cancel, name="deletion_cancel"),
    path("participation/", participation.participation, name="participation"),
    path("participation/<str:kind>/", participation.participation_ask, name="participation_ask"),
    path("consent/<str:token>/", participation.consent_answer_page, name="consent_answer"),
]
