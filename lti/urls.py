from django.urls import path

from lti import views

app_name = "lti"
urlpatterns = [
    path("login/", views.login_initiation, name="login"),
    path("launch/", views.launch, name="launch"),
    path("link/", views.link, name="link"),
    path("deep-link/", views.deep_link, name="deep_link"),
    path("jwks.json", views.jwks, name="jwks"),
]
