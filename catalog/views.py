# Placeholder: the catalog pages are being written.
from django.http import HttpRequest, HttpResponse


def credential_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("catalog")


def credential_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(slug)


def credential_requirements_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(slug)
