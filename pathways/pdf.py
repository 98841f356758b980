"""The transcript as a PDF: WeasyPrint renders the transcript template with the requirements PDF's refusing URL
fetcher, so nothing is loaded from outside this site's static files."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from catalog.weasy import html_to_pdf

TEMPLATE = "pathways/transcript_pdf.html"


def transcript_pdf(context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_to_string(TEMPLATE, context))
