from django.contrib import admin
from django.urls import include, path, re_path

from api.api import api
from api.api import not_found as api_not_found
from microcred import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("credentials/", include("pages.catalog.urls")),
    path("accounts/", include("pages.accounts.urls")),
    path("submissions/", include("pages.submissions.urls")),
    path("reviews/", include("pages.reviews.urls")),
    path("notifications/", include("pages.notifications.urls")),
    path("issuers/", include("pages.issuers.urls")),
    path("issuers/", include("pages.authoring.urls")),
    path("", include("pages.awards.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Last: any other path under /api/ answers a JSON 404, as the API's own do, even with DEBUG on.
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
]

handler404 = "microcred.views.not_found"
handler500 = "microcred.views.server_error"
