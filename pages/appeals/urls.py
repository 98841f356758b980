from django.urls import URLPattern, URLResolver

app_name = "appeals"
urlpatterns: list[URLPattern | URLResolver] = []
