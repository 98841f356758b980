"""`{{ text|lang_attr }}` inside an element's start tag: ` lang="en"` where a definition's text is shown in the
language it was written in on a page in another (catalog/definition_text.py), nothing otherwise; and
`{{ text|in_its_lang }}` for such a text inside a translated sentence (a blocktranslate's variable): in a span."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from catalog.definition_text import SourceText, page_language, primary

register = template.Library()


@register.filter
def lang_attr(value: Any) -> SafeString | str:
    if isinstance(value, SourceText) and primary(value.lang) != primary(page_language()):
        return format_html(' lang="{}"', value.lang)
    return ""


@register.filter
def in_its_lang(value: Any) -> SafeString | str:
    if isinstance(value, SourceText) and primary(value.lang) != primary(page_language()):
        return format_html('<span lang="{}">{}</span>', value.lang, value)
    return value


@register.filter
def written_lang_attr(spec: Any) -> SafeString | str:
    """` lang="en"` for what is printed as the definition wrote it, whatever the page's language (a signed
    credential's name and description), where the page is in another language."""
    language = getattr(spec, "language", None)
    if isinstance(language, str) and primary(language) != primary(page_language()):
        return format_html(' lang="{}"', language)
    return ""
