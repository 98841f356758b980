"""WeasyPrint behind this site's refusing URL fetcher: every PDF the site draws (the requirements and the submission
form, the certificate, the transcript) goes through `html_to_pdf`.

WeasyPrint is imported here on the first PDF, not when this module is: with the font and drawing libraries it loads,
it takes about 0.7 s to import, a third of the URLconf's import time, which every process would pay at its start
(each web worker, each management command) while few of them ever draw a PDF.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

# WeasyPrint narrates every layout step at INFO; its warnings (such as a refused URL) still come through.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@functools.cache
def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves this site's static files from disk, and the images handed in by URL from memory (a badge image,
        so that the server never fetches its own pages while drawing); refuses every other URL.

        A definition's prose is written by issuers; without this, an image or stylesheet URL in it would make the
        server fetch from the internet (or from the internal network) while rendering.
        """

        def __init__(self, *, static_prefix: str, images: dict[str, bytes] | None = None) -> None:
            super().__init__(allowed_protocols=[])
            self.static_prefix = static_prefix
            self.images = images or {}

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url in self.images:
                return URLFetcherResponse(url, body=self.images[url], headers={"Content-Type": "image/png"})
            if not url.startswith(self.static_prefix):
                raise ValueError(f"the PDF loads only this site's static files, not {url}")
            name = unquote(urlsplit(url).path)[len(urlsplit(self.static_prefix).path) :]
            path = _static_file(name)
            if path is None:
                raise ValueError(f"there is no static file {name!r}")
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher


def _static_file(name: str) -> Path | None:
    try:
        # Collected (and, in production, hashed) files first; the app's source tree in development.
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
        found = finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError):
        return None
    return Path(found) if isinstance(found, str) else None


def site_fetcher(images: dict[str, bytes] | None = None) -> Any:
    """WeasyPrint's URL fetcher for this site: its static files, and `images` (PNG bytes by URL); nothing else."""
    return _fetcher_class()(static_prefix=urljoin(settings.SITE_URL + "/", settings.STATIC_URL), images=images)


def html_to_pdf(html: str, *, images: dict[str, bytes] | None = None) -> bytes:
    """The PDF of a page this site rendered, its relative URLs read against the site's address."""
    import weasyprint

    pdf = weasyprint.HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=site_fetcher(images)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
