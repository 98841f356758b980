"""The transcript as a PDF: WeasyPrint renders the transcript template with the requirements PDF's refusing URL
fetcher, so nothing is loaded from outside this site's static files."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string

from catalog.pdf import StaticOnlyFetcher

TEMPLATE = "pathways/transcript_pdf.html"


def transcript_pdf(context: dict[str, Any]) -> bytes:
    base_url = settings.SITE_URL + "/"
    fetcher = StaticOnlyFetcher(static_prefix=urljoin(base_url, settings.STATIC_URL))
    html = render_to_string(TEMPLATE, context)
    pdf = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
