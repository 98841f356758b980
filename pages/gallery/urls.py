"""The certified examples gallery, mounted at /examples/: the earner's offer and withdrawal, then a credential's
gallery, one example and its files (the issuer's curation pages are in pages/issuers/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from pages.gallery import views

app_name = "gallery"
urlpatterns: list[URLPattern | URLResolver] = [
    path("offer/<uuid:uuid>/", views.offer, name="offer"),
    path("withdraw/<uuid:uuid>/", views.withdraw, name="withdraw"),
    path("<slug:slug>/", views.gallery_list, name="list"),
    path("<slug:slug>/<pk:entry_id>/", views.entry, name="entry"),
    path("<slug:slug>/<pk:entry_id>/files/<pk:evidence_id>/", views.entry_file_download, name="file"),
]
