from django.contrib import admin
from django.urls import include, path

from api.api import api
from microcred import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("credentials/", include("catalog.urls")),
    path("accounts/", include("accounts.urls")),
    path("submissions/", include("submissions.urls")),
    path("reviews/", include("reviews.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("awards.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler404 = "microcred.views.not_found"
handler500 = "microcred.views.server_error"
