from django.urls import URLPattern, URLResolver

app_name = "attestations"
urlpatterns: list[URLPattern | URLResolver] = []
