"""The public catalog: the list and a credential's page.

Both are drawn in two parts. What is the same for every visitor (the list's content, a credential's definition as
its page shows it) is drawn once and kept by core.fragments under the version of the rows it shows, read on every
view in one query (catalog_version; _PAGE_VERSION here), so a publication, a new version or an edit is seen by the
very next view. The page around it (the header with its language form and CSRF token, the Start button) is drawn
for each request, except for an anonymous visitor, whose whole page is kept with its CSRF token marked
(core.fragments.page_key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from catalog.models import Credential
from catalog.pdf import requirements_pdf_etag, requirements_pdf_render
from catalog.presentation import credential_page_context
from catalog.selectors import (
    CatalogFacets,
    catalog_facets,
    catalog_version,
    credential_get_published,
    credential_list_published,
    credentials_published,
)
from core.compiled import CompiledRows
from core.fragments import fragment_get, fragment_key, fragment_set, page_get, page_key, page_render
from gallery.selectors import gallery_published
from pages.catalog.forms import CatalogFilterForm
from pages.gallery.credential import gallery_credential_context


@dataclass(frozen=True)
class ListPage:
    title: str
    body: str
    status: int


@dataclass(frozen=True)
class CredentialPage:
    """A credential page's parts that are the same for every visitor; `kind_label` is all the Start button reads
    of the definition."""

    title: str
    top: str
    rest: str
    kind_label: str


def _filters_kept(form: CatalogFilterForm, query: QueryDict) -> tuple[tuple[str, str], ...] | None:
    """The filters as given, when the page they draw is kept: valid choices (a bounded set) without a free-text
    search, each given at most once. None otherwise: such a page is drawn afresh."""
    if not form.is_valid() or query.get("q", ""):
        return None
    given = []
    for name in form.fields:
        values = query.getlist(name)
        if len(values) > 1:
            return None
        given.append((name, values[0] if values else ""))
    return tuple(given)


@require_GET
def credential_list(request: HttpRequest) -> HttpResponse:
    version = catalog_version()
    facets_key = fragment_key("catalog.facets", version)
    facets = fragment_get(facets_key, CatalogFacets)
    form: CatalogFilterForm | None = None
    if any(name in request.GET for name in CatalogFilterForm.base_fields):
        facets = facets or catalog_facets()
        form = CatalogFilterForm(request.GET, facets=facets)
        kept = _filters_kept(form, request.GET)
    else:  # the page as most see it: no filter, so no form to build before knowing whether it is kept
        kept = tuple((name, "") for name in CatalogFilterForm.base_fields)
    key = fragment_key("catalog.list", version, kept) if kept is not None else None
    whole = page_key(request, key) if key else None
    if (kept_page := page_get(request, whole)) is not None:
        return kept_page
    page = fragment_get(key, ListPage) if key else None
    if page is None:
        facets = facets or catalog_facets()
        form = form or CatalogFilterForm(request.GET, facets=facets)
        valid = form.is_valid()
        entries = credential_list_published(filters=form.filters())
        context = {"form": form, "entries": entries, "filtered": form.is_filtered or not valid}
        page = ListPage(
            title=render_to_string("catalog/_list_title.html", context).strip(),
            body=render_to_string("catalog/_list_body.html", context, request),
            status=200 if valid else 400,
        )
        if catalog_version() == version:  # kept only if nothing was published while they were read
            fragment_set(facets_key, facets)
            if key:
                fragment_set(key, page)
        else:
            whole = None
    # The body was drawn (and escaped) by our templates; the title is plain text, escaped where it is shown.
    context = {"page": {"title": page.title, "body": SafeString(page.body)}}
    return page_render(request, "catalog/list.html", context, key=whole, status=page.status)


# Everything a credential's page shows besides its version's definition (immutable, which the version's id and
# content hash stand for), and whether certified examples are published (pages/gallery/credential.py), in one
# query whose SQL is built once per connection.
_PAGE_VERSION = CompiledRows(
    lambda slug: (
        credentials_published()
        .filter(slug=slug)
        .values_list(
            "pk",
            "slug",
            "badge_image_updated_at",
            "current_version_id",
            "current_version__content_hash",
            "current_version__number",
            "current_version__loaded_at",
            Exists(gallery_published().filter(credential=OuterRef("pk"))),
        )
    ),
    str,
)


def _page_version(slug: str) -> tuple[Any, ...]:
    rows = _PAGE_VERSION.fetch(slug)
    if not rows:
        raise Http404(f"No published credential has the address {slug!r}.")
    return rows[0]


def _credential_page(request: HttpRequest, slug: str) -> CredentialPage:
    published = credential_get_published(slug=slug)
    context = credential_page_context(published)
    context.update(gallery_credential_context(published, context["spec"]))
    spec = context["spec"]
    return CredentialPage(
        title=f"{spec.title} ({spec.issuer.name})",
        top=render_to_string("catalog/_detail_top.html", context, request),
        rest=render_to_string("catalog/_detail_rest.html", context, request),
        kind_label=spec.kind_label,
    )


@require_GET
def credential_detail(request: HttpRequest, slug: str) -> HttpResponse:
    version = _page_version(slug)
    key = fragment_key("catalog.detail", version)
    whole = page_key(request, key)
    if (kept_page := page_get(request, whole)) is not None:
        return kept_page
    page = fragment_get(key, CredentialPage)
    if page is None:
        page = _credential_page(request, slug)
        if _page_version(slug) == version:  # kept only if nothing changed while it was drawn
            fragment_set(key, page)
        else:
            whole = None
    context: dict[str, Any] = {
        "page": {
            "title": page.title,
            "top": SafeString(page.top),
            "rest": SafeString(page.rest),
            "kind_label": page.kind_label,
        },
        "pdf_url": reverse("catalog:requirements_pdf", args=[slug]),
    }
    if request.user.is_authenticated:  # the Start button asks what this person already has of the credential
        context["credential"] = Credential.objects.get(pk=version[0])
    return page_render(request, "catalog/detail.html", context, key=whole)


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
