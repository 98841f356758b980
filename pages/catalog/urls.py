from django.urls import path

from pages.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.credential_list, name="list"),
    path("<slug:slug>/", views.credential_detail, name="detail"),
    path("<slug:slug>/requirements.pdf", views.credential_requirements_pdf, name="requirements_pdf"),
]
