"""The public catalog as JSON: published credentials, their filters and their whole definitions.

The list's answer is the same for everyone, so it is kept (core.fragments) as the JSON sent, under the catalog's
version (catalog.selectors.catalog_version, read on every request in one small query) and the filters, as the
catalog page keeps its list: a publication or an edit is in the very next answer; free-text searches are drawn
afresh."""

from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import Field, NinjaAPI, Query, Router, Schema
from pydantic import field_validator

from api.common import Slug, errors
from catalog.models import CredentialVersion
from catalog.offline_form import DOCX_TYPE, form_filename
from catalog.offline_form_docx import form_page_url, submission_form_docx_for
from catalog.offline_form_pdf import submission_form_pdf
from catalog.schema import SLUG, GradeBand
from catalog.selectors import (
    MAX_QUERY_LENGTH,
    CatalogEntry,
    CatalogFacets,
    CatalogFilters,
    catalog_facets,
    catalog_version,
    credential_get_published,
    credential_list_published,
)
from core.errors import NotFound
from core.fragments import digest, fragment_get, fragment_key, fragment_set

router = Router()


class CatalogQuery(Schema):
    q: Annotated[
        str, Field(max_length=MAX_QUERY_LENGTH, description="Words that must all appear in the credential")
    ] = ""
    issuer: Annotated[str | None, Field(pattern=SLUG, max_length=60, description="An issuer's slug")] = None
    standard: Annotated[str | None, Field(min_length=1, max_length=40, description="A standard's code")] = None
    grade_band: GradeBand | None = None

    @field_validator("q", "standard")
    @classmethod
    def _no_null_characters(cls, value: str | None) -> str | None:
        # PostgreSQL cannot hold a NUL in a text value, so it would fail the query rather than match nothing.
        if value is not None and "\x00" in value:
            raise ValueError("must not contain null characters")
        return value

    def filters(self) -> CatalogFilters:
        return CatalogFilters(
            q=self.q.strip(), issuer=self.issuer or "", standard=self.standard or "", grade_band=self.grade_band or ""
        )


class IssuerOut(Schema):
    slug: str
    name: str
    url: str


class AlignmentOut(Schema):
    code: str
    title: str


class StandardsOut(Schema):
    framework: str
    alignments: list[AlignmentOut]


class VersionOut(Schema):
    number: int
    content_hash: str


class UrlsOut(Schema):
    page: str
    requirements_pdf: str
    api: str


class CredentialSummaryOut(Schema):
    slug: str
    title: str
    issuer: IssuerOut
    kind_label: str
    summary: str
    grade_bands: list[str]
    standards: StandardsOut | None
    graduate_credit_available: bool
    version: VersionOut
    urls: UrlsOut


class CredentialDetailOut(Schema):
    slug: str
    title: str
    issuer: IssuerOut
    version: VersionOut
    urls: UrlsOut
    definition: dict[str, Any] = Field(description="The whole credential definition, as its YAML file says it")


def _urls(slug: str) -> UrlsOut:
    # Absolute from SITE_URL, never from the request's Host header, as everything the platform publishes.
    return UrlsOut(
        page=settings.SITE_URL + reverse("catalog:detail", args=[slug]),
        requirements_pdf=settings.SITE_URL + reverse("catalog:requirements_pdf", args=[slug]),
        api=settings.SITE_URL + reverse("api-v1:credential_detail", args=[slug]),
    )


# What the list's kept answers are drawn as: a change of the schema makes new keys, so an answer kept by an older
# release in a shared cache is never read back.
_LIST_SHAPE = digest(CredentialSummaryOut.model_json_schema())


def _summary(entry: CatalogEntry) -> CredentialSummaryOut:
    return CredentialSummaryOut(
        slug=entry.slug,
        title=entry.title,
        issuer=IssuerOut(slug=entry.issuer.slug, name=entry.issuer.name, url=entry.issuer.url),
        kind_label=entry.kind_label,
        summary=entry.summary,
        grade_bands=entry.grade_bands,
        standards=StandardsOut(
            framework=entry.standards_framework,
            alignments=[AlignmentOut(code=a.code, title=a.title) for a in entry.alignments],
        )
        if entry.standards_framework
        else None,
        graduate_credit_available=entry.graduate_credit,
        version=VersionOut(number=entry.version_number, content_hash=entry.content_hash),
        urls=_urls(entry.slug),
    )


def _api() -> NinjaAPI:
    # The API this router is mounted on; api.api imports this module, so it is looked up when first needed.
    from api.api import api

    return api


def _list_body(request: HttpRequest, filters: CatalogFilters) -> bytes:
    """The list's JSON as ninja answers a list of schemas: each entry validated, dumped and rendered."""
    entries = [_summary(entry).model_dump() for entry in credential_list_published(filters=filters)]
    body = _api().renderer.render(request, entries, response_status=200)
    return body.encode() if isinstance(body, str) else bytes(body)


def _kept_key(filters: CatalogFilters, version: tuple[Any, ...]) -> str | None:
    """The key the list for `filters` is kept under, or None when it is drawn afresh. Kept: the whole list, and the
    list by one grade band, one issuer or one standard that a published credential has, so that what is kept grows
    with the catalog, not with the requests (any value, or every combination of values, would let the requests
    crowd other pages and the badge pages' verification results out of the same cache)."""
    given = [value for value in (filters.issuer, filters.standard, filters.grade_band) if value]
    if len(given) > 1:
        return None
    if filters.issuer or filters.standard:
        facets_key = fragment_key("api.credential_list.facets", version)
        facets = fragment_get(facets_key, CatalogFacets)
        if facets is None:
            # Kept even if a publication came in since `version` was read: the facets only bound what is kept,
            # and whatever state they were read in, they are values the catalog really has.
            facets = catalog_facets()
            fragment_set(facets_key, facets)
        if filters.issuer and filters.issuer not in facets.issuer_slugs():
            return None
        codes = {alignment.code for option in facets.standards for alignment in option.alignments}
        if filters.standard and filters.standard not in codes:
            return None
    return fragment_key("api.credential_list", _LIST_SHAPE, version, filters)


@router.get(
    "",
    response={200: list[CredentialSummaryOut], **errors(422)},
    url_name="credential_list",
    summary="List published credentials",
)
def credential_list(request: HttpRequest, filters: Query[CatalogQuery]) -> HttpResponse:
    """Every published credential matching all the filters given, in title order."""
    wanted = filters.filters()
    content_type = _api().get_content_type()
    if wanted.terms():  # a free-text search is drawn afresh: kept, the answers would be as many as the searches
        return HttpResponse(_list_body(request, wanted), content_type=content_type)
    # Kept (core.fragments) under the catalog's version: every column the list shows or filters on, read in one
    # small query on each request, so a publication or an edit is in the very next answer.
    version = catalog_version()
    key = _kept_key(wanted, version)
    body = fragment_get(key, bytes) if key else None
    if body is None:
        body = _list_body(request, wanted)
        if key and catalog_version() == version:  # kept only if nothing was published while it was read
            fragment_set(key, body)
    return HttpResponse(body, content_type=content_type)


@router.get(
    "/{slug}",
    response={200: CredentialDetailOut, **errors(404, 422)},
    url_name="credential_detail",
    summary="One published credential with its whole definition",
)
def credential_detail(request: HttpRequest, slug: Slug) -> CredentialDetailOut:
    try:
        published = credential_get_published(slug=slug)
    except Http404:
        raise NotFound(f"No published credential has the slug {slug!r}.") from None
    credential, version = published.credential, published.version
    return CredentialDetailOut(
        slug=credential.slug,
        title=published.spec.title,
        issuer=IssuerOut(slug=credential.issuer.slug, name=credential.issuer.name, url=credential.issuer.url),
        version=VersionOut(number=version.number, content_hash=version.content_hash),
        urls=_urls(credential.slug),
        definition=published.spec.model_dump(mode="json"),
    )


_FORM_DOC: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The submission form to fill offline, always as an attachment",
            "content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                    "schema": {"type": "string", "format": "binary"}
                },
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


def _published_version(slug: str) -> CredentialVersion:
    try:
        return credential_get_published(slug=slug).version
    except Http404:
        raise NotFound(f"No published credential has the slug {slug!r}.") from None


@router.get(
    "/{slug}/submission-form.docx",
    response={200: None, **errors(404, 422)},
    openapi_extra=_FORM_DOC,
    url_name="credential_form_docx",
    summary="The submission form as a Word document, to fill offline and upload on a draft's page",
)
def credential_form_docx(request: HttpRequest, slug: Slug) -> HttpResponse:
    version = _published_version(slug)
    response = HttpResponse(submission_form_docx_for(version), content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=form_filename(version.spec.slug, "docx")
    )
    return response


@router.get(
    "/{slug}/submission-form.pdf",
    response={200: None, **errors(404, 422)},
    openapi_extra=_FORM_DOC,
    url_name="credential_form_pdf",
    summary="The submission form as a printable PDF",
)
def credential_form_pdf(request: HttpRequest, slug: Slug) -> HttpResponse:
    version = _published_version(slug)
    response = HttpResponse(
        submission_form_pdf(version=version, page_url=form_page_url(version)), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=form_filename(version.spec.slug, "pdf")
    )
    return response
