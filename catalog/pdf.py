"""The requirements and scoring guide as a PDF, rendered by WeasyPrint from the detail page's own section templates."""

from __future__ import annotations

import functools
import hashlib
import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher, URLFetcherResponse

from catalog.definition_text import page_language
from catalog.presentation import credential_page_context
from catalog.selectors import PublishedCredential

TEMPLATE = "catalog/requirements_pdf.html"
# Everything a rendered PDF depends on besides the definition; a change to any of them must change the ETag.
_RENDER_INPUTS = ("templates/catalog", "static/css/site.css", "static/css/print.css")
_CACHE_SECONDS = 60 * 60 * 24

# WeasyPrint narrates every layout step at INFO; its warnings (such as a refused URL) still come through.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class StaticOnlyFetcher(URLFetcher):
    """Serves this site's static files from disk and refuses every other URL.

    A definition's prose is written by issuers; without this, an image or stylesheet URL in it would
    make the server fetch from the internet (or from the internal network) while rendering.
    """

    def __init__(self, *, static_prefix: str) -> None:
        super().__init__(allowed_protocols=[])
        self.static_prefix = static_prefix

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith(self.static_prefix):
            raise ValueError(f"the requirements PDF loads only this site's static files, not {url}")
        name = unquote(urlsplit(url).path)[len(urlsplit(self.static_prefix).path) :]
        path = _static_file(name)
        if path is None:
            raise ValueError(f"there is no static file {name!r}")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def _static_file(name: str) -> Path | None:
    try:
        # Collected (and, in production, hashed) files first; the app's source tree in development.
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
        found = finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError):
        return None
    return Path(found) if isinstance(found, str) else None


def _fingerprint_now() -> str:
    digest = hashlib.sha256(weasyprint.__version__.encode())
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
    base_url = settings.SITE_URL + "/"
    fetcher = StaticOnlyFetcher(static_prefix=urljoin(base_url, settings.STATIC_URL))
    document = weasyprint.HTML(
        string=requirements_pdf_html(published=published), base_url=base_url, url_fetcher=fetcher
    )
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    if not settings.DEBUG:
        cache.set(key, pdf, _CACHE_SECONDS)
    return pdf
