from django.urls import path

from pages.accounts import deletion, participation, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("signup/check-your-email/", views.verify_sent, name="verify_sent"),
    path("verify/resend/", views.verify_resend, name="verify_resend"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("password/reset/", views.ResetRequestView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.ResetSentView.as_view(), name="password_reset_done"),
    path("password/reset/done/", views.ResetCompleteView.as_view(), name="password_reset_complete"),
    path("password/reset/<uidb64>/<token>/", views.ResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/change/", views.ChangePasswordView.as_view(), name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("delete/", deletion.delete, name="delete"),
    path("delete/requested/", deletion.requested, name="deletion_requested"),
    path("delete/cancel/", deletion.cancel, name="deletion_cancel"),
    path("participation/", participation.participation, name="participation"),
    path("participation/<str:kind>/", participation.participation_ask, name="participation_ask"),
    path("consent/<str:token>/", participation.consent_answer_page, name="consent_answer"),
]
