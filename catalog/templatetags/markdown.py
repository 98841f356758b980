"""The `markdown` filter: CommonMark prose from credential definitions, as safe HTML.

Raw HTML is off in the parser, and its output is still sanitised with nh3, so neither a mistake in
the parser nor a crafted link can put script into a page.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

register = template.Library()

# Images are off: an issuer's prose must not make readers' browsers, or the PDF renderer, fetch from
# other sites. `![alt](url)` then reads as "!" and a link to the picture.
_PARSER = MarkdownIt("commonmark", {"html": False}).disable("image")

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Prose sits under the page's own h2/h3 headings, so a "# Heading" in it becomes an h4.
DEFAULT_HEADING_OFFSET = 3


def markdown_render(text: str | None, *, heading_offset: int = DEFAULT_HEADING_OFFSET) -> str:
    if not text:
        return ""
    return _render(text, heading_offset)


# Keyed by the text itself, so each definition version's prose is parsed and sanitised once per process
# (a credential page shows dozens of passages on every view) and an edited text simply misses.
@lru_cache(maxsize=4096)
def _render(text: str, heading_offset: int) -> str:
    tokens = _PARSER.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + heading_offset)}"
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
    )


@register.filter(name="markdown")
def markdown_filter(value: str | None, heading_offset: int = DEFAULT_HEADING_OFFSET) -> SafeString:
    return mark_safe(markdown_render(value, heading_offset=heading_offset))  # noqa: S308 - sanitised by nh3 above
