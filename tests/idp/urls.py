from django.contrib.auth import views as auth_views
from django.urls import include, path

from tests.idp.headers import stylesheet

urlpatterns = [
    path("idp.css", stylesheet),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
