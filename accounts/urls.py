from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "accounts"


def _todo(request: HttpRequest) -> HttpResponse:
    return HttpResponse("todo")


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", _todo, name="signup"),
    path("profile/", _todo, name="profile"),
    path("dashboard/", _todo, name="dashboard"),
]
