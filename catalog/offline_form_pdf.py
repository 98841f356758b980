"""The submission form as a printable PDF, drawn by WeasyPrint the way the requirements PDF is (catalog/pdf.py):
the site's own stylesheets and system fonts, nothing fetched but this site's static files."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from catalog.definition_text import definition_shown, page_language
from catalog.models import CredentialVersion
from catalog.offline_form import EMPTY_BOX, form_checks, form_identifier, form_parts
from catalog.pdf import render_fingerprint
from catalog.presentation import DRAFT_NOTE
from catalog.weasy import html_to_pdf

TEMPLATE = "catalog/submission_form_pdf.html"
_CACHE_SECONDS = 60 * 60 * 24


def submission_form_etag(*, version: CredentialVersion) -> str:
    # The page's language picks the template's words and the program's translation (whose text the content hash
    # covers), so it is part of the tag and of the cache key built from it.
    return f'"form-{version.content_hash[:32]}-{render_fingerprint()[:16]}-{page_language()}"'


def _parts(version: CredentialVersion) -> list[dict[str, Any]]:
    parts = []
    for part in form_parts(version.spec):
        items = []
        for item in part.items:
            # The template draws shallow dicts; the items' own options and columns stay objects.
            shallow = {name: getattr(item, name) for name in asdict(item)}
            items.append({**shallow, "height": 22 * item.lines, "empty_rows": range(item.rows)})
        parts.append({"title": part.title, "intro": part.intro, "optional": part.optional, "items": items})
    return parts


def _page_footer() -> SafeString:
    """The footer's "Page 2 of 9" as a CSS `content` value in the active language (print.css has it in English)."""
    words = gettext("Page %(page)s of %(pages)s").replace("\\", "\\\\").replace('"', '\\"')
    css = '"' + words % {"page": '" counter(page) "', "pages": '" counter(pages) "'} + '"'
    return mark_safe(css.replace("<", "\\3c "))  # noqa: S308 - quotes escaped above, and no "<" can end the style


def submission_form_html(*, version: CredentialVersion, page_url: str) -> str:
    spec = version.spec
    context = {
        "spec": definition_shown(spec),
        "version": version,
        "parts": _parts(version),
        "checks": form_checks(spec),
        "identifier": form_identifier(spec.slug, version.content_hash),
        "page_url": page_url,
        "empty_box": EMPTY_BOX,
        "draft_note": gettext(DRAFT_NOTE),
        "page_footer": _page_footer(),
    }
    return render_to_string(TEMPLATE, context)


def submission_form_pdf(*, version: CredentialVersion, page_url: str) -> bytes:
    """The PDF bytes, cached under the ETag (the version's hash and every template and stylesheet)."""
    key = f"catalog:submission-form-pdf:{submission_form_etag(version=version)}"
    if not settings.DEBUG:
        cached = cache.get(key)
        if isinstance(cached, bytes):
            return cached
    pdf = html_to_pdf(submission_form_html(version=version, page_url=page_url))
    if not settings.DEBUG:
        cache.set(key, pdf, _CACHE_SECONDS)
    return pdf
