from django.urls import path

from pages.sso import views

app_name = "sso"

urlpatterns = [
    path("", views.district_sign_in, name="district"),
    path("with/<slug:provider_id>/", views.provider_sign_in, name="provider"),
]
