"""Reads of the public catalog. Only published credentials that have a loaded version are visible, to anyone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.http import Http404

from catalog.models import Credential, CredentialVersion
from catalog.schema import GRADE_BANDS, CredentialDefinition
from core.compiled import CompiledRows

# Longer searches are refused by the page's form and the API alike, naming the field.
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class CatalogFilters:
    """Already-validated filters: the page's form and the API's query schema both produce one."""

    q: str = ""
    issuer: str = ""
    standard: str = ""
    grade_band: str = ""

    def terms(self) -> list[str]:
        # search_text is stored lower-cased, so lower-casing the terms makes `contains` case-insensitive
        # on PostgreSQL too (where LIKE is case-sensitive).
        return q_terms(self.q)


def q_terms(q: str) -> list[str]:
    return q.lower().split()


@dataclass(frozen=True)
class IssuerRef:
    slug: str
    name: str
    url: str


@dataclass(frozen=True)
class AlignmentRef:
    code: str
    title: str


@dataclass(frozen=True)
class CatalogEntry:
    """One credential as the list page and the API list show it, without its (large) definition."""

    slug: str
    title: str
    summary: str
    kind_label: str
    issuer: IssuerRef
    grade_bands: list[str]
    standards_framework: str
    alignments: list[AlignmentRef]
    graduate_credit: bool
    version_number: int
    content_hash: str

    @property
    def grade_band_labels(self) -> list[str]:
        return [GRADE_BANDS.get(band, band) for band in self.grade_bands]


@dataclass(frozen=True)
class StandardOption:
    framework: str
    alignments: list[AlignmentRef] = field(default_factory=list)


@dataclass(frozen=True)
class CatalogFacets:
    """The values the filters can take: the issuers and standards of the credentials that are published."""

    issuers: list[IssuerRef]
    standards: list[StandardOption]

    def issuer_slugs(self) -> set[str]:
        return {issuer.slug for issuer in self.issuers}


@dataclass(frozen=True)
class PublishedCredential:
    credential: Credential
    version: CredentialVersion

    @property
    def spec(self) -> CredentialDefinition:
        return self.version.spec


def _published() -> QuerySet[Credential]:
    return Credential.objects.filter(is_published=True, current_version__isnull=False)


def credentials_published() -> QuerySet[Credential]:
    """Every credential anyone may see (published, with a version), for a read the pages build themselves."""
    return _published()


def _definition_key(*path: str) -> KeyTransform:
    # A JSON path into the current version's definition, read in SQL so the list never loads whole definitions.
    expression: Any = "current_version__definition"
    for key in path:
        expression = KeyTransform(key, expression)
    return expression


def _alignments(raw: Any) -> list[AlignmentRef]:
    if not isinstance(raw, list):
        return []
    return [
        AlignmentRef(code=str(a.get("code", "")), title=str(a.get("title", ""))) for a in raw if isinstance(a, dict)
    ]


def credential_list_published(*, filters: CatalogFilters) -> list[CatalogEntry]:
    """Published credentials matching every filter, in title order; one query however many there are."""
    queryset = _published()
    for term in filters.terms():
        queryset = queryset.filter(search_text__contains=term)
    if filters.issuer:
        queryset = queryset.filter(issuer__slug=filters.issuer)
    if filters.standard:
        # Stored as "|code|code|" so a code only matches whole (RTS-3 must not match RTS-30).
        queryset = queryset.filter(standard_codes__contains=f"|{filters.standard}|")
    if filters.grade_band:
        queryset = queryset.filter(grade_bands__contains=f"|{filters.grade_band}|")
    rows = queryset.values(
        "slug",
        "title",
        "summary",
        "grade_bands",
        "standards_framework",
        "issuer__slug",
        "issuer__name",
        "issuer__url",
        "current_version__number",
        "current_version__content_hash",
        kind_label=KeyTextTransform("kind_label", "current_version__definition"),
        graduate_credit=_definition_key("graduate_credit", "available"),
        alignments=_definition_key("standards", "alignments"),
    )
    return [
        CatalogEntry(
            slug=row["slug"],
            title=row["title"],
            summary=row["summary"],
            kind_label=row["kind_label"] or "Micro-credential",
            issuer=IssuerRef(slug=row["issuer__slug"], name=row["issuer__name"], url=row["issuer__url"]),
            grade_bands=[band for band in row["grade_bands"].split("|") if band],
            standards_framework=row["standards_framework"],
            alignments=_alignments(row["alignments"]),
            # SQLite answers 1/0 for a JSON boolean, PostgreSQL true/false.
            graduate_credit=bool(row["graduate_credit"]),
            version_number=row["current_version__number"],
            content_hash=row["current_version__content_hash"],
        )
        for row in rows
    ]


def catalog_facets() -> CatalogFacets:
    """Issuers and standards present among published credentials, for the filter selects; one query."""
    rows = _published().values(
        "issuer__slug",
        "issuer__name",
        "issuer__url",
        "standards_framework",
        alignments=_definition_key("standards", "alignments"),
    )
    issuers: dict[str, IssuerRef] = {}
    frameworks: dict[str, dict[str, AlignmentRef]] = {}
    for row in rows:
        issuers.setdefault(
            row["issuer__slug"], IssuerRef(slug=row["issuer__slug"], name=row["issuer__name"], url=row["issuer__url"])
        )
        if row["standards_framework"]:
            codes = frameworks.setdefault(row["standards_framework"], {})
            for alignment in _alignments(row["alignments"]):
                codes.setdefault(alignment.code, alignment)
    return CatalogFacets(
        issuers=sorted(issuers.values(), key=lambda issuer: issuer.name.lower()),
        standards=[
            StandardOption(framework=name, alignments=list(codes.values()))
            for name, codes in sorted(frameworks.items(), key=lambda item: item[0].lower())
        ],
    )


def credential_get_published(*, slug: str) -> PublishedCredential:
    """The credential and its current version; 404 when it is unknown, unpublished or has no version yet."""
    credential = _published().select_related("issuer", "current_version").filter(slug=slug).first()
    if credential is None or credential.current_version is None:
        raise Http404(f"No published credential has the address {slug!r}.")
    return PublishedCredential(credential=credential, version=credential.current_version)


# ----- versions of what the public pages show ---------------------------------------------------------------------

# Every column the list shows or filters on, bar the search text (free-text searches are not kept): the version's
# content hash stands for what the list reads from its definition (kind, graduate credit, alignments).
_CATALOG_ROWS = CompiledRows(
    lambda: (
        _published()
        .order_by("pk")
        .values_list(
            "pk",
            "slug",
            "title",
            "summary",
            "grade_bands",
            "standard_codes",
            "standards_framework",
            "current_version_id",
            "current_version__number",
            "current_version__content_hash",
            "issuer__slug",
            "issuer__name",
            "issuer__url",
        )
    ),
)


def catalog_version() -> tuple[Any, ...]:
    """The state of everything the catalog list shows, its filters included, in one small query whose SQL is built
    once per connection: any publication, new version, or change of a credential's or its issuer's shown fields
    changes it. Public, like the list."""
    return tuple(_CATALOG_ROWS.fetch())
