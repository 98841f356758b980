"""A definition's text in the page's language: its translation where it has one, else the original, marked with the
language it is written in so the page can say so (`lang` on the element, for screen readers and translators).

Only pages use this. Whatever is signed or decided (OB 3.0 documents, scores, checks) reads `version.spec`, the
definition as written, so a credential says the same whatever language its earner reads the site in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from pydantic import BaseModel

from catalog.schema import TEXT_KEYS, CredentialDefinition, Translation
from catalog.schema.translations import item_segment

_SHOWN_KEPT = 256


class SourceText(str):
    """Text shown in the language it was written in (`lang`) on a page in another language."""

    lang: str

    def __new__(cls, text: str, lang: str) -> SourceText:
        made = super().__new__(cls, text)
        made.lang = lang
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (SourceText, (str(self), self.lang))


def primary(language: str) -> str:
    """ "es-419" -> "es": a page in any Spanish reads a definition's Spanish."""
    return language.split("-")[0].lower()


def page_language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def translation_for(spec: CredentialDefinition, language: str) -> Translation | None:
    """The definition's translation into `language`: an exact match first, then one of the same primary language."""
    exact = spec.translations.get(language.lower())
    if exact is not None:
        return exact
    return next((t for code, t in spec.translations.items() if primary(code) == primary(language)), None)


# A version's definition is frozen and its spec cached per process (catalog/models.py), so its shown copy for one
# language is kept beside it, keyed by the spec's identity; the spec is held too, so the identity stays its own.
_SHOWN: dict[tuple[int, str], tuple[CredentialDefinition, CredentialDefinition]] = {}


def definition_shown(spec: CredentialDefinition, language: str | None = None) -> CredentialDefinition:
    """`spec` as a page in `language` (the active one by default) shows it: every translatable text replaced by its
    translation, or made a `SourceText` where there is none. The same object when the page is in the definition's
    own language."""
    language = language or page_language()
    if primary(language) == primary(spec.language):
        return spec
    key = (id(spec), language)
    kept = _SHOWN.get(key)
    if kept is not None and kept[0] is spec:
        return kept[1]
    found = translation_for(spec, language)
    shown = _localised(spec, found.text if found else {}, spec.language, "")
    if len(_SHOWN) >= _SHOWN_KEPT:
        _SHOWN.clear()
    _SHOWN[key] = (spec, shown)
    return shown


def _text(value: str, place: str, texts: dict[str, str], lang: str) -> str:
    translated = texts.get(place)
    return translated if translated is not None else SourceText(value, lang)


def _item(item: Any, index: int, key: str, place: str, texts: dict[str, str], lang: str) -> Any:
    if isinstance(item, BaseModel):
        return _localised(item, texts, lang, f"{place}.{item_segment(item, index)}.")
    if isinstance(item, str) and key in TEXT_KEYS:
        return _text(item, f"{place}.{index}", texts, lang)
    return item


def _localised(model: Any, texts: dict[str, str], lang: str, prefix: str) -> Any:
    changes: dict[str, Any] = {}
    for key in type(model).model_fields:
        if key == "translations":
            continue
        value = getattr(model, key)
        place = f"{prefix}{key}"
        if isinstance(value, BaseModel):
            changes[key] = _localised(value, texts, lang, place + ".")
        elif isinstance(value, list) and value:
            changes[key] = [_item(item, index, key, place, texts, lang) for index, item in enumerate(value)]
        elif isinstance(value, dict) and key in TEXT_KEYS:
            changes[key] = {
                entry: _text(text, f"{place}.{entry}", texts, lang) if isinstance(text, str) else text
                for entry, text in value.items()
            }
        elif isinstance(value, str) and key in TEXT_KEYS:
            changes[key] = _text(value, place, texts, lang)
    # model_copy does not validate, which keeps the SourceText marks (validation would make them plain str).
    return model.model_copy(update=changes)
