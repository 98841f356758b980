"""A definition's text in other languages.

`translations` maps a language code to that language's wording of some of the definition's text. Each wording is
keyed by the place of the text it translates, named as the sign-off names places (authoring/paths.py): dotted,
with a list item named by its `id` (or a partner by its `slug`) where it has one and by its position otherwise,
e.g. "title", "parts.overview.fields.grade_band.label", "rubric.criteria.balance.descriptors.exemplary",
"introduction.1.body", "parts.reflection.fields.essay.prompts.0". Only prose and names can be translated
(`TEXT_KEYS`); ids, addresses, numbers and rules are the same in every language. A key that names no such text
in the source is refused by name, so a translation cannot drift from what it translates unnoticed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, Field

from catalog.schema.base import Markdown, Strict

# A BCP 47 language tag as the site uses them: "es", "es-419", "pt-br".
LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
LanguageCode = Annotated[str, Field(pattern=LANGUAGE, max_length=20)]

# The keys whose text reads to people, in whichever model they appear. `prompts` is a list of texts and
# `descriptors` a mapping of level id to text; each of their entries is a place of its own.
TEXT_KEYS = frozenset(
    {
        "title",
        "kind_label",
        "summary",
        "competency_statement",
        "key_method",
        "submission_intro",
        "name",
        "description",
        "body",
        "framework",
        "intro",
        "citation",
        "note",
        "label",
        "guidance",
        "pattern_hint",
        "item_label",
        "message",
        "instructions",
        "feedback",
        "attribution",
        "prompts",
        "descriptors",
    }
)
# Never walked for text: the translations themselves.
_SKIPPED = frozenset({"translations"})


class Translation(Strict):
    """One language's wording: `text` maps a place (see the module's docstring) to its translation."""

    text: Annotated[dict[str, Markdown], Field(min_length=1)]
    draft: bool = False  # True where the platform translated the text for the issuer to revise


def item_segment(item: Any, index: int) -> str:
    """What a list item is called in a place's name: its id or slug where it has one, else its position."""
    for key in ("id", "slug"):
        value = getattr(item, key, None) if isinstance(item, BaseModel) else None
        if isinstance(value, str) and value:
            return value
    return str(index)


def text_places(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Each translatable text of `model` (a definition or any part of one) as (place, text), in the
    definition's order."""
    for key in type(model).model_fields:
        if key in _SKIPPED:
            continue
        value = getattr(model, key)
        place = f"{prefix}{key}"
        if isinstance(value, BaseModel):
            yield from text_places(value, place + ".")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from text_places(item, f"{place}.{item_segment(item, index)}.")
                elif isinstance(item, str) and key in TEXT_KEYS:
                    yield f"{place}.{index}", item
        elif isinstance(value, dict):
            if key in TEXT_KEYS:
                for entry, text in value.items():
                    if isinstance(text, str):
                        yield f"{place}.{entry}", text
        elif isinstance(value, str) and key in TEXT_KEYS:
            yield place, value


def unknown_place_message(language: str, key: str, places: list[str]) -> str:
    """Why a translation's key is refused, naming the key and, where one is close, the place that was meant."""
    close = difflib.get_close_matches(key, places, n=1, cutoff=0.75)
    if close:
        hint = _("did you mean %(close)s?") % {"close": repr(close[0])}
    else:
        hint = _("a key names the place of a text, such as 'parts.<id>.title'")
    return _(
        "the %(language)s translation has %(key)s, which is not translatable text of this definition; %(hint)s"
    ) % {
        "language": language,
        "key": repr(key),
        "hint": hint,
    }
