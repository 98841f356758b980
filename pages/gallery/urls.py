from django.urls import URLPattern, URLResolver

app_name = "gallery"
urlpatterns: list[URLPattern | URLResolver] = []
