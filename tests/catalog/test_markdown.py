"""The `markdown` filter: issuers' CommonMark prose becomes safe HTML."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.template import engines

from catalog.templatetags.markdown import markdown_render

TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")


def tags(html: str) -> list[tuple[str, str]]:
    """Every real tag in the output (escaped text such as &lt;script&gt; is not a tag), with its attributes."""
    return [(name.lower(), attributes) for name, attributes in TAG.findall(html)]


def render(template: str, **context: object) -> str:
    return engines["django"].from_string("{% load markdown %}" + template).render(context)


def test_it_renders_commonmark():
    html = markdown_render("Some *emphasis*, **strength** and `code`.\n\n- one\n- two\n\n1. first\n2. second")
    assert "<em>emphasis</em>" in html
    assert "<strong>strength</strong>" in html
    assert "<code>code</code>" in html
    assert "<ul>\n<li>one</li>" in html
    assert "<ol>\n<li>first</li>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "Before <script>alert(1)</script> after",
        '<img src="x" onerror="alert(1)">',
        '<iframe src="https://evil.example"></iframe>',
        '<a href="https://evil.example" onclick="steal()">click</a>',
        "<style>body { display: none }</style>",
    ],
)
def test_it_never_passes_raw_html_through(source):
    html = markdown_render(source)
    assert [name for name, _ in tags(html)] == ["p"]
    assert all(attributes == "" for _, attributes in tags(html))
    # The text stays visible, escaped, so the issuer can see what they wrote.
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
    ],
)
def test_it_drops_script_links(link):
    html = markdown_render(link)
    assert [name for name, _ in tags(html)] == ["p"]
    assert "href" not in html


def test_links_get_noopener_and_nofollow():
    html = markdown_render('Read [the guide](https://example.org/guide "The guide").')
    assert '<a href="https://example.org/guide" title="The guide" rel="noopener nofollow">the guide</a>' in html


def test_mail_links_are_kept():
    assert 'href="mailto:help@example.org"' in markdown_render("[Write to us](mailto:help@example.org)")


def test_images_are_not_embedded():
    # An image would make every reader's browser, and the PDF renderer, fetch from another site.
    html = markdown_render("![a chart](https://tracker.example/pixel.png)")
    assert "<img" not in html
    assert 'href="https://tracker.example/pixel.png"' in html


def test_headings_sit_below_the_pages_own():
    html = markdown_render("# Big\n\n## Smaller\n\n###### Smallest")
    assert "<h4>Big</h4>" in html
    assert "<h5>Smaller</h5>" in html
    assert "<h6>Smallest</h6>" in html
    assert "<h1" not in html


def test_the_filter_marks_only_its_sanitised_output_safe():
    html = render("{{ text|markdown }}", text="*hello* <b>world</b>")
    assert html == "<p><em>hello</em> &lt;b&gt;world&lt;/b&gt;</p>\n"


def test_the_filter_takes_a_heading_offset():
    assert render("{{ text|markdown:1 }}", text="# Title") == "<h2>Title</h2>\n"


@pytest.mark.parametrize("empty", [None, ""])
def test_the_filter_renders_nothing_for_no_text(empty):
    assert render("{{ text|markdown }}", text=empty) == ""


@pytest.mark.django_db
def test_a_credential_page_parses_its_prose_once_per_version(client, credentials):
    from catalog.templatetags import markdown

    url = f"/credentials/{credentials['educators-rising-collaboration'].slug}/"
    markdown._render.cache_clear()
    cache.clear()  # the page itself is kept once drawn (pages/catalog/views.py): draw it afresh here
    assert client.get(url).status_code == 200
    first = markdown._render.cache_info()
    assert first.misses > 20  # the page really renders the definition's many passages
    assert client.get(url).status_code == 200
    second = markdown._render.cache_info()
    assert second.misses == first.misses  # nothing parsed again (the kept page draws nothing)
    cache.clear()
    assert client.get(url).status_code == 200
    third = markdown._render.cache_info()
    assert third.misses == first.misses  # drawn again, its passages come from the parse cache
    assert third.hits - second.hits >= first.misses


def test_an_edited_text_is_rendered_afresh():
    assert "<em>one</em>" in markdown_render("*one*")
    assert "<strong>one</strong>" in markdown_render("**one**")
