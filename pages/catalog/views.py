from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from catalog.pdf import requirements_pdf_etag, requirements_pdf_render
from catalog.presentation import credential_page_context
from catalog.selectors import catalog_facets, credential_get_published, credential_list_published
from pages.catalog.forms import CatalogFilterForm
from pages.gallery.credential import gallery_credential_context


@require_GET
def credential_list(request: HttpRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET, facets=catalog_facets())
    valid = form.is_valid()
    entries = credential_list_published(filters=form.filters())
    context = {"form": form, "entries": entries, "filtered": form.is_filtered or not valid}
    return render(request, "catalog/list.html", context, status=200 if valid else 400)


@require_GET
def credential_detail(request: HttpRequest, slug: str) -> HttpResponse:
    published = credential_get_published(slug=slug)
    context = credential_page_context(published)
    context.update(gallery_credential_context(published, context["spec"]))
    return render(request, "catalog/detail.html", context)


@require_GET
def credential_requirements_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    published = credential_get_published(slug=slug)
    etag = requirements_pdf_etag(published=published)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(requirements_pdf_render(published=published), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{published.credential.slug}-requirements.pdf"
        )
    response["ETag"] = etag
    # Public, but always revalidated: the ETag makes that cheap and a new version is seen at once.
    patch_cache_control(response, public=True, no_cache=True)
    return response
