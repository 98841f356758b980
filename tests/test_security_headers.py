"""Every response carries a strict Content-Security-Policy and a Permissions-Policy, and no template needs
anything the policy refuses (the browser tests then run every page they visit under it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Emails are read in mail programs, which keep inline styles and ignore CSP; the certificate is drawn by
# WeasyPrint into a PDF, never served as a page, and so are the offline submission form and the transcript.
NOT_PAGES = (
    "emails/",
    "awards/certificate_pdf.html",
    "catalog/submission_form_pdf.html",
    "pathways/transcript_pdf.html",
)
INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "a style element": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"\sstyle=", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}
STRICT = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
]


def _directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def _assert_strict(response) -> None:
    policy = response["Content-Security-Policy"]
    for directive in STRICT:
        assert directive in policy, (directive, policy)
    assert "unsafe" not in policy
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        reverse("catalog:list"),
        reverse("accounts:login"),
        reverse("accounts:signup"),
        "/no-such-page/",
        "/api/v1/credentials",
        "/api/v1/no-such-path",
        "/admin/login/",
        "/static/css/site.css",
        "/healthz",
    ],
)
def test_every_kind_of_response_carries_both_policies(client, path):
    _assert_strict(client.get(path))


@pytest.mark.django_db
def test_a_signed_in_page_and_a_redirect_carry_them_too(client, educator):
    _assert_strict(client.get(reverse("accounts:dashboard")))
    client.force_login(educator)
    _assert_strict(client.get(reverse("accounts:dashboard")))
    _assert_strict(client.post(reverse("accounts:logout")))


@pytest.mark.django_db
def test_only_the_api_docs_page_allows_more_and_only_data_images(client):
    directives = _directives(client.get("/api/v1/docs")["Content-Security-Policy"])

    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert _directives(client.get("/api/v1/openapi.json")["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_no_page_template_holds_what_the_policy_refuses():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name.startswith(NOT_PAGES):
            continue
        text = path.read_text()
        found += [f"{name}: {what}" for what, pattern in INLINE.items() if pattern.search(text)]
    assert found == []
