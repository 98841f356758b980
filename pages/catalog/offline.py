"""The submission form to fill offline (Word and PDF) of a published credential: public, as its page is."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from catalog.models import CredentialVersion
from catalog.offline_form import DOCX_TYPE, form_filename
from catalog.offline_form_docx import form_page_url, submission_form_docx_for
from catalog.offline_form_pdf import submission_form_etag, submission_form_pdf
from catalog.selectors import credential_get_published


def form_docx_response(version: CredentialVersion) -> HttpResponse:
    response = HttpResponse(submission_form_docx_for(version), content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=form_filename(version.spec.slug, "docx")
    )
    return response


def form_pdf_response(request: HttpRequest, version: CredentialVersion, *, public: bool) -> HttpResponse:
    etag = submission_form_etag(version=version)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(
            submission_form_pdf(version=version, page_url=form_page_url(version)), content_type="application/pdf"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=form_filename(version.spec.slug, "pdf")
        )
    response["ETag"] = etag
    # The same for everyone when reached from the public page; from a draft, only its owner's business.
    patch_cache_control(response, public=public, private=not public, no_cache=True)
    return response


@require_GET
def submission_form_docx(request: HttpRequest, slug: str) -> HttpResponse:
    published = credential_get_published(slug=slug)
    response = form_docx_response(published.version)
    patch_cache_control(response, public=True, no_cache=True)
    return response


@require_GET
def submission_form_pdf_view(request: HttpRequest, slug: str) -> HttpResponse:
    published = credential_get_published(slug=slug)
    return form_pdf_response(request, published.version, public=True)
