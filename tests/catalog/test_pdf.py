"""The requirements and scoring guide PDF: same templates as the page, served as an attachment, no network."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import weasyprint
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import IssuerMembership
from catalog.loader import credentials_load_dir
from catalog.models import Credential
from catalog.pdf import requirements_pdf_html
from catalog.presentation import pass_rule_words
from catalog.selectors import credential_get_published
from catalog.weasy import site_fetcher
from tests.catalog.catalog_helpers import (
    HARBOR,
    RIVERBEND,
    Html,
    assert_page_shows_definition,
    fixture_data,
    load_fixture_credentials,
    normalise,
    write_definition,
)
from tests.conftest import CLASSKICK, EDUCATORS_RISING


def pdf_url(slug: str) -> str:
    return reverse("catalog:requirements_pdf", args=[slug])


def pdf_text(content: bytes) -> str:
    return normalise("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


@pytest.fixture
def fixture_credentials(db: object) -> dict[str, Credential]:
    return load_fixture_credentials()


@pytest.fixture
def riverbend_pdf(client: Client, fixture_credentials: dict[str, Credential]) -> bytes:
    response = client.get(pdf_url(RIVERBEND))
    assert response.status_code == 200
    return response.content


def test_it_serves_a_pdf_attachment_named_after_the_credential(client, fixture_credentials):
    response = client.get(pdf_url(RIVERBEND))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="riverbend-formative-feedback-requirements.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_the_pdf_says_what_the_requirements_are(riverbend_pdf, fixture_credentials):
    spec = fixture_credentials[RIVERBEND].current_version.spec
    text = pdf_text(riverbend_pdf)
    assert "Requirements and scoring guide".upper() in text
    assert spec.title in text
    for part in spec.parts:
        assert part.title in text
    for level in spec.rubric.levels:
        assert level.label in text
    for criterion in spec.rubric.criteria:
        assert criterion.title in text
    assert "(passes)" in text
    assert "(does not pass)" in text
    assert normalise(pass_rule_words(spec.review_policy, spec.rubric, spec.kind_label)) in text
    assert spec.license.name in text
    assert spec.license.attribution in text
    assert "Up to 500 words" in text
    assert "What reviewers check" in text
    assert "Draft wording from the platform, for the issuer to revise" in text


def test_the_pdf_carries_the_credentials_metadata(riverbend_pdf):
    metadata = PdfReader(io.BytesIO(riverbend_pdf)).metadata
    assert metadata is not None
    assert metadata.title == "Formative Feedback (Riverbend Teaching Commons): requirements and scoring guide"
    assert metadata.author == "Riverbend Teaching Commons"


def test_the_pdf_is_laid_out_by_the_print_stylesheet(riverbend_pdf):
    # print.css asks for US Letter pages; without the stylesheet WeasyPrint would use A4.
    page = PdfReader(io.BytesIO(riverbend_pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)


def test_the_pdf_is_rendered_from_the_pages_own_section_templates(client, fixture_credentials):
    published = credential_get_published(slug=RIVERBEND)
    source = Html(requirements_pdf_html(published=published))
    assert_page_shows_definition(source, published.spec)
    page = Html(client.get(reverse("catalog:detail", args=[RIVERBEND])).content)
    # The sections are the same markup, byte for byte, in the page and in the PDF's source.
    page_sections = page.text[page.text.index('<section id="section-') : page.text.index("</article>")]
    # The page alone links the live gallery of certified examples; the PDF is the definition as written.
    page_sections = re.sub(r'\n<p class="gallery-link">.*?</p>\n', "", page_sections)
    assert page_sections.strip() in source.text


def test_the_pdf_of_a_small_definition_has_its_few_sections(client, fixture_credentials):
    text = pdf_text(client.get(pdf_url(HARBOR)).content)
    assert "Lab Safety Routines" in text
    assert "more than half of the three reviewers rate it “Secure”" in text
    assert "Graduate credit Not available" in text
    assert "Standards alignment" not in text


def test_it_answers_not_modified_while_nothing_has_changed(client, fixture_credentials):
    first = client.get(pdf_url(RIVERBEND))
    etag = first["ETag"]
    assert etag.startswith('"')
    assert fixture_credentials[RIVERBEND].current_version.content_hash[:32] in etag
    assert "no-cache" in first["Cache-Control"]
    again = client.get(pdf_url(RIVERBEND), headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_new_version_gets_a_new_etag_and_a_new_pdf(client, fixture_credentials, tmp_path):
    etag = client.get(pdf_url(HARBOR))["ETag"]
    data = fixture_data(HARBOR)
    data["title"] = "Lab Safety Routines, Revised"
    write_definition(tmp_path, data)
    credentials_load_dir(tmp_path)
    response = client.get(pdf_url(HARBOR), headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Lab Safety Routines, Revised" in pdf_text(response.content)


PERSONAS = ["anonymous", "educator", "platform_admin"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_anyone_may_download_a_published_credentials_guide(client, fixture_credentials, persona, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(pdf_url(HARBOR)).status_code == 200


@pytest.mark.parametrize("persona", [*PERSONAS, "riverbend_admin"])
def test_no_one_gets_the_guide_of_an_unpublished_credential(client, fixture_credentials, persona, request, make_user):
    if persona == "riverbend_admin":
        user = make_user("rhea@riverbend.example")
        IssuerMembership.objects.create(
            user=user, issuer=fixture_credentials[RIVERBEND].issuer, role=IssuerMembership.Role.ADMIN
        )
        client.force_login(user)
    elif persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    Credential.objects.filter(slug=RIVERBEND).update(is_published=False)
    assert client.get(pdf_url(RIVERBEND)).status_code == 404


def test_an_unknown_credential_has_no_guide(client, fixture_credentials):
    assert client.get(pdf_url("no-such-credential")).status_code == 404


# ----- nothing is fetched from the network -------------------------------------------------


class _Counter(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def outside_server() -> Iterator[str]:
    _Counter.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetcher() -> Any:
    return site_fetcher()


def test_the_renderer_refuses_every_url_but_our_static_files(outside_server):
    html = f"""<html><head><link rel="stylesheet" href="{outside_server}/evil.css"></head>
    <body><img src="{outside_server}/pixel.png">
    <p style="background: url({outside_server}/bg.png)">x</p></body></html>"""
    pdf = weasyprint.HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=fetcher()).write_pdf()
    assert pdf.startswith(b"%PDF-")
    assert _Counter.hits == []


def test_the_renderer_serves_our_static_files_from_disk():
    response = fetcher().fetch(settings.SITE_URL + settings.STATIC_URL + "css/print.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        f"{settings.SITE_URL}{settings.STATIC_URL}../microcred/settings.py",
        f"{settings.SITE_URL}{settings.STATIC_URL}%2e%2e/microcred/settings.py",
        f"{settings.SITE_URL}{settings.STATIC_URL}css/no-such-file.css",
        f"{settings.SITE_URL}/admin/",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "https://example.org/style.css",
    ],
)
def test_the_renderer_refuses_anything_outside_the_static_files(url):
    with pytest.raises(ValueError, match="static file"):
        fetcher().fetch(url)


# ----- the real programs -------------------------------------------------------------------


# The definitions come from the database; what is drawn from them, and its text, does not depend on which one.
@pytest.mark.once
@pytest.mark.parametrize("slug", [CLASSKICK, EDUCATORS_RISING])
def test_each_real_programs_guide_holds_its_requirements_and_scoring(client, credentials, slug):
    spec = credentials[slug].current_version.spec
    response = client.get(pdf_url(slug))
    assert response["Content-Disposition"] == f'attachment; filename="{slug}-requirements.pdf"'
    text = pdf_text(response.content)
    assert spec.title in text
    assert spec.issuer.name in text
    for part in spec.parts:
        assert normalise(part.title) in text
    for level in spec.rubric.levels:
        assert level.label in text
    for criterion in spec.rubric.criteria:
        assert normalise(criterion.title) in text
    assert normalise(pass_rule_words(spec.review_policy, spec.rubric, spec.kind_label)) in text
    assert spec.license is not None
    assert normalise(spec.license.name) in text
    assert_page_shows_definition(Html(requirements_pdf_html(published=credential_get_published(slug=slug))), spec)


@pytest.mark.parametrize(
    "persona",
    ["anonymous", "educator", "reviewer_mentor", "issuer_admin", "other_issuer_admin", "platform_admin"],
)
def test_every_persona_may_download_a_real_programs_guide(client, credentials, persona, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(pdf_url(CLASSKICK)).status_code == 200
    Credential.objects.filter(slug=CLASSKICK).update(is_published=False)
    assert client.get(pdf_url(CLASSKICK)).status_code == 404
