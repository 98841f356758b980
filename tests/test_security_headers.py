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


# ----- the policy of the settings is built once (core/content_policy.py) ---------------------------------------------


def _library_response(path: str) -> dict[str, str]:
    """The headers django-csp's own middleware writes for `path`, from the same settings."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    request = RequestFactory().get(path)
    middleware = CSPMiddleware(lambda r: HttpResponse("x"))
    middleware.process_request(request)
    response = middleware.process_response(request, HttpResponse("x"))
    return {
        name: response[name]
        for name in ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
        if name in response
    }


@pytest.mark.django_db
def test_the_kept_policy_is_the_one_django_csp_builds_and_follows_a_change_of_the_settings(client, settings):
    from core import content_policy

    ours = client.get(reverse("catalog:list"))
    assert ours["Content-Security-Policy"] == _library_response("/credentials/")["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in ours
    built = content_policy.settings_headers.cache_info()
    client.get(reverse("catalog:list"))
    assert content_policy.settings_headers.cache_info().hits > built.hits  # kept, not built again

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    changed = client.get(reverse("catalog:list"))
    library = _library_response("/credentials/")
    assert changed["Content-Security-Policy"] == library["Content-Security-Policy"]
    assert _directives(changed["Content-Security-Policy"]) == {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
    }
    assert changed["Content-Security-Policy-Report-Only"] == library["Content-Security-Policy-Report-Only"]

    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/credentials/"]}
    assert "Content-Security-Policy" not in client.get(reverse("catalog:list"))
    assert "Content-Security-Policy-Report-Only" in client.get(reverse("catalog:list"))


@pytest.mark.django_db
def test_a_response_with_a_policy_of_its_own_or_a_nonce_gets_it_not_the_kept_one(rf, settings):
    from csp.constants import NONCE, SELF
    from csp.decorators import csp_exempt, csp_update
    from django.http import HttpResponse

    from core.content_policy import CSPMiddleware

    @csp_update({"img-src": ["data:"]})
    def own(request):
        return HttpResponse("x")

    @csp_exempt()
    def exempt(request):
        return HttpResponse("x")

    def with_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}

    def answer(view):
        return CSPMiddleware(view)(rf.get("/"))

    updated = answer(own)
    assert _directives(updated["Content-Security-Policy"])["img-src"] == ["data:"]
    skipped = answer(exempt)
    assert "Content-Security-Policy" not in skipped
    nonced = answer(with_nonce)
    assert f"'nonce-{nonced.content.decode()}'" in nonced["Content-Security-Policy"]
    plain = answer(lambda request: HttpResponse("x"))
    assert "nonce" not in plain["Content-Security-Policy"]
    assert "data:" not in plain["Content-Security-Policy"]
