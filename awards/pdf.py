"""The printable certificate: WeasyPrint renders the certificate template with the same refusing URL fetcher as
the requirements PDF, so nothing is loaded from outside this site's static files."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from catalog.weasy import html_to_pdf

TEMPLATE = "awards/certificate_pdf.html"


def certificate_pdf(context: dict[str, Any], *, images: dict[str, bytes] | None = None) -> bytes:
    """`images`: PNGs by the URL the template gives them (the badge image), served from memory."""
    return html_to_pdf(render_to_string(TEMPLATE, context), images=images)
