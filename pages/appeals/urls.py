"""The educator's appeal pages (pages/appeals/views.py)."""

from django.urls import URLPattern, URLResolver, path

from pages.appeals import views

app_name = "appeals"
urlpatterns: list[URLPattern | URLResolver] = [
    path("attempts/<pk:attempt_id>/", views.request_form, name="request"),
    path("<pk:appeal_id>/", views.status, name="status"),
]
