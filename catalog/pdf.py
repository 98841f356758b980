"""The requirements and scoring guide as a PDF, rendered by WeasyPrint from the detail page's own section templates."""

from __future__ import annotations

import functools
import hashlib
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

from catalog.definition_text import page_language
from catalog.presentation import credential_page_context
from catalog.selectors import PublishedCredential
from catalog.weasy import html_to_pdf

TEMPLATE = "catalog/requirements_pdf.html"
# Everything a rendered PDF depends on besides the definition; a change to any of them must change the ETag.
_RENDER_INPUTS = ("templates/catalog", "static/css/site.css", "static/css/print.css")
_CACHE_SECONDS = 60 * 60 * 24


def _fingerprint_now() -> str:
    digest = hashlib.sha256(version("weasyprint").encode())
    for relative in _RENDER_INPUTS:
        root = Path(settings.BASE_DIR) / relative
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def _fingerprint_cached() -> str:
    return _fingerprint_now()


def render_fingerprint() -> str:
    # Templates only change with a deploy (a new process), except while developing with DEBUG on.
    return _fingerprint_now() if settings.DEBUG else _fingerprint_cached()


def requirements_pdf_etag(*, published: PublishedCredential) -> str:
    # The page's language chooses the definition's translation (catalog/definition_text.py), so it is part of the tag.
    return f'"{published.version.content_hash[:32]}-{render_fingerprint()[:16]}-{page_language()}"'


def requirements_pdf_html(*, published: PublishedCredential) -> str:
    return render_to_string(TEMPLATE, credential_page_context(published))


def requirements_pdf_render(*, published: PublishedCredential) -> bytes:
    """The PDF bytes; cached under the ETag, which changes whenever the definition or the templates do."""
    key = f"catalog:requirements-pdf:{requirements_pdf_etag(published=published)}"
    if not settings.DEBUG:
        cached = cache.get(key)
        if isinstance(cached, bytes):
            return cached
    pdf = html_to_pdf(requirements_pdf_html(published=published))
    if not settings.DEBUG:
        cache.set(key, pdf, _CACHE_SECONDS)
    return pdf
