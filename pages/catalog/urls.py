from django.urls import path

from pages.catalog import offline, views

app_name = "catalog"
urlpatterns = [
    path("", views.credential_list, name="list"),
    path("<slug:slug>/", views.credential_detail, name="detail"),
    path("<slug:slug>/requirements.pdf", views.credential_requirements_pdf, name="requirements_pdf"),
    path("<slug:slug>/submission-form.docx", offline.submission_form_docx, name="form_docx"),
    path("<slug:slug>/submission-form.pdf", offline.submission_form_pdf_view, name="form_pdf"),
]
