"""The printable certificate: WeasyPrint renders the certificate template with the same refusing URL fetcher as
the requirements PDF, so nothing is loaded from outside this site's static files."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcherResponse

from catalog.pdf import StaticOnlyFetcher

TEMPLATE = "awards/certificate_pdf.html"


class _CertificateFetcher(StaticOnlyFetcher):
    """The static files, and the PNG images handed in by URL (the badge image), from memory: the server never
    fetches its own pages while rendering."""

    def __init__(self, *, static_prefix: str, images: dict[str, bytes]) -> None:
        super().__init__(static_prefix=static_prefix)
        self.images = images

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url in self.images:
            return URLFetcherResponse(url, body=self.images[url], headers={"Content-Type": "image/png"})
        return super().fetch(url, headers)


def certificate_pdf(context: dict[str, Any], *, images: dict[str, bytes] | None = None) -> bytes:
    base_url = settings.SITE_URL + "/"
    fetcher = _CertificateFetcher(static_prefix=urljoin(base_url, settings.STATIC_URL), images=images or {})
    html = render_to_string(TEMPLATE, context)
    pdf = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
