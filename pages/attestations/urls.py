from django.urls import URLPattern, URLResolver, path, re_path

from pages.attestations import views

app_name = "attestations"
urlpatterns: list[URLPattern | URLResolver] = [
    path("ask/<pk:submission_id>/<str:field_ref>/<str:entry_id>/", views.ask, name="ask"),
    # The emailed link: the token is 43 URL-safe characters (accounts.email_links), never a word like "ask".
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,100})/$", views.answer, name="answer"),
]
