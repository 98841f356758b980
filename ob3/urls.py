"""The OB 3.0 API under /ims/ob/v3p0/, the authorization server under /oauth/, the earner's connected apps.

Included by microcred/urls.py at the site root, since the specification fixes the /ims/ob/v3p0 paths."""

from __future__ import annotations

from django.urls import path, re_path
from oauth2_provider import views as dot

from ob3 import consent, views

app_name = "ob3"

urlpatterns = [
    path("ims/ob/v3p0/discovery", views.discovery, name="discovery"),
    path("ims/ob/v3p0/credentials", views.credentials, name="credentials"),
    path("ims/ob/v3p0/profile", views.profile, name="profile"),
    re_path(r"^ims/ob/v3p0/(?P<rest>.*)$", views.not_found, name="not_found"),
    path("oauth/register", views.register, name="register"),
    path("oauth/authorize", consent.ConsentView.as_view(), name="authorize"),
    path("oauth/token", dot.TokenView.as_view(), name="token"),
    path("oauth/revoke", dot.RevokeTokenView.as_view(), name="revoke"),
    path("connected-apps/", consent.apps_list, name="connected_apps"),
    path("connected-apps/<str:client_id>/disconnect", consent.app_disconnect, name="disconnect"),
]
