from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from api.api import api
from api.api import not_found as api_not_found
from microcred import views
from pages.accounts.language import language_set

# The admin signs in on our sign-in page, so django-axes, the throttles and the second factor apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    # First: the API takes most requests (the submission page's autosave among them), and Django tries each
    # pattern in turn; no other pattern answers a path under api/v1/.
    path("api/v1/", api.urls),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The header's language switcher (Django's set_language, plus a signed-in person's saved preference).
    path("i18n/setlang/", language_set, name="set_language"),
    path("credentials/", include("pages.catalog.urls")),
    path("accounts/", include("pages.accounts.urls")),
    # allauth after ours: where both answer a path (login/, signup/, …) ours, built on allauth's views, wins.
    path("accounts/", include("allauth.urls")),
    # Sign in with your district (sso/): find the district's provider by email domain or from a list.
    path("district-sign-in/", include("pages.sso.urls")),
    path("submissions/", include("pages.submissions.urls")),
    path("reviews/", include("pages.reviews.urls")),
    path("notifications/", include("pages.notifications.urls")),
    path("issuers/", include("pages.issuers.urls")),
    path("issuers/", include("pages.authoring.urls")),
    path("", include("pages.awards.urls")),
    # Around the credential: a collaborator confirms a planning conversation, a coach reads a draft, an educator
    # appeals a decision, a district follows its teachers, credentials stack into pathways, and earners' examples.
    path("confirm/", include("pages.attestations.urls")),
    path("coaching/", include("pages.coaching.urls")),
    path("appeals/", include("pages.appeals.urls")),
    path("groups/", include("pages.cohorts.urls")),
    path("pathways/", include("pages.pathways.urls")),
    path("examples/", include("pages.gallery.urls")),
    path("lti/", include("lti.urls")),
    path("admin/", admin.site.urls),
    # The Open Badges 3.0 API at the paths the standard fixes, its authorization server and connected apps.
    path("", include("ob3.urls")),
    # Last: any other path under /api/ answers a JSON 404, as the API's own do, even with DEBUG on.
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
]

handler404 = "microcred.views.not_found"
handler500 = "microcred.views.server_error"
