"""Checking and normalising one saved value against its field definition.

Every value an educator saves passes through `clean_change`; what comes out is what the draft stores.
A value that cannot be stored raises `FieldErrors` (an InvalidInput of core's one error hierarchy) naming
the field and what to do. Texts are kept as plain text exactly as typed, minus characters no text needs
(NUL and other control characters): HTML in an answer is stored as the characters it is made of and
escaped wherever it is shown.

Word counting (`word_count`) follows one rule, shown to educators beside every limit and used for the
live count too: a word is a run of characters between whitespace that contains at least one letter or
digit. So "don't", "e.g." and "2024" are one word each, and a dash or bullet standing alone is none.
In JavaScript: ``text.split(/\\s+/).filter(t => /[\\p{L}\\p{N}]/u.test(t)).length``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.schema import (
    ChecklistField,
    ChoiceField,
    CredentialDefinition,
    DateField,
    FileField,
    ItemField,
    LinkField,
    ListField,
    ShortTextField,
    SubmissionField,
    TextField,
)
from core.errors import FieldError, InvalidInput

# No answer may be longer than this, whatever the definition says (the schema's own ceiling for max_words
# is the same figure): beyond it a text is refused rather than stored, so a runaway paste cannot bloat a draft.
HARD_WORD_CAP = 20_000
HARD_CHAR_CAP = 300_000
MAX_LINK_LENGTH = 2_000
MAX_SHORT_VALUES = 50
ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The furthest timezone ahead of UTC (Kiribati, UTC+14): a date after today there has not begun anywhere,
# so `not_after: today` never refuses an educator's own today, wherever they are.
_AHEAD_OF_UTC = timedelta(hours=14)

# C0 and C1 control characters except tab and newline, DEL, and the two Unicode non-characters that
# some editors leak; carriage returns are turned into newlines before this runs.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")


class FieldErrors(InvalidInput):
    """A value that cannot be stored as it was sent. A class of its own so that callers cleaning many
    values (draft_save, the forms) can gather every field's problems before refusing, and so that an
    uncaught one still reaches the educator as a 422 naming the field."""


# A whitespace-separated token with a letter or a digit in it, matched whole from its first character. [^\W_] is
# exactly str.isalnum() (re's \w is isalnum() or "_"), and \s is exactly what str.split() splits on: checked on
# every code point (tests/submissions/test_values.py). One regex over the text, rather than a generator per token,
# takes a third of the time on a paragraph, and every autosave counts its text's words.
_WORD = re.compile(r"(?<!\S)\S*?[^\W_]\S*")


def word_count(text: str | None) -> int:
    """The number of whitespace-separated tokens that contain a letter or a digit (see the module doc)."""
    if not text:
        return 0
    return len(_WORD.findall(text))


def words(text: str) -> list[str]:
    """The words `word_count` counts, in order."""
    return _WORD.findall(text)


def is_filled(value: Any) -> bool:
    """Whether a stored value says anything: an empty text, list or entry does not."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return any(is_filled(v) for v in value)
    if isinstance(value, dict):
        return any(is_filled(v) for k, v in value.items() if k != "id")
    return True


def _plain_text(raw: str, *, field: str, label: str, entry: int | None) -> str:
    if _SURROGATE.search(raw):
        raise FieldErrors(
            [
                FieldError(
                    field,
                    _("%(label)s: the text holds characters that are not valid Unicode; paste it again")
                    % {"label": label},
                    entry,
                )
            ]
        )
    return _CONTROL.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))


def _one_line(raw: str, *, field: str, label: str, entry: int | None) -> str:
    return _WHITESPACE.sub(" ", _plain_text(raw, field=field, label=label, entry=entry)).strip()


def _as_list(raw: Any) -> list[Any] | None:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        return raw
    return None


def _clean_text(spec: TextField, raw: Any, *, field: str, entry: int | None) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise FieldErrors([FieldError(field, _("%(label)s: send the answer as text") % {"label": spec.label}, entry)])
    text = _plain_text(raw, field=field, label=spec.label, entry=entry)
    if not spec.multiline:
        text = _one_line(text, field=field, label=spec.label, entry=entry)
    grouped = partial(number_format, force_grouping=True)
    # A word is at least one character and a space: a text of up to twice the cap cannot exceed it, and every
    # autosave sends its text, so the words are counted only for a text that long.
    if len(text) >= 2 * HARD_WORD_CAP and (count := word_count(text)) > HARD_WORD_CAP:
        words = {"label": spec.label, "count": grouped(count), "cap": grouped(HARD_WORD_CAP)}
        words["max"] = grouped(spec.max_words or 0)
        message = (
            _(
                "%(label)s has %(count)s words; no answer may exceed %(cap)s words (this answer asks for at most "
                "%(max)s). Shorten it and save again."
            )
            if spec.max_words
            else _("%(label)s has %(count)s words; no answer may exceed %(cap)s words. Shorten it and save again.")
        )
        raise FieldErrors([FieldError(field, message % words, entry)])
    if len(text) > HARD_CHAR_CAP:
        # Few words but a huge text: one endless token, which no answer needs.
        message = _(
            "%(label)s is %(length)s characters long; no answer may exceed %(cap)s characters. Shorten it and save "
            "again."
        )
        words = {"label": spec.label, "length": grouped(len(text)), "cap": grouped(HARD_CHAR_CAP)}
        raise FieldErrors([FieldError(field, message % words, entry)])
    return text if text.strip() else None


def _clean_short_text(spec: ShortTextField, raw: Any, *, field: str, entry: int | None) -> str | list[str] | None:
    items = _as_list(raw) if spec.multiple else ([] if raw is None else [raw])
    if items is None or any(not isinstance(item, str) for item in items):
        message = _("%(label)s: send a list of texts") if spec.multiple else _("%(label)s: send text")
        raise FieldErrors([FieldError(field, message % {"label": spec.label}, entry)])
    if len(items) > MAX_SHORT_VALUES:
        raise FieldErrors(
            [
                FieldError(
                    field,
                    _("%(label)s: at most %(max)s values") % {"label": spec.label, "max": MAX_SHORT_VALUES},
                    entry,
                )
            ]
        )
    out: list[str] = []
    errors: list[FieldError] = []
    for item in items:
        value = _one_line(item, field=field, label=spec.label, entry=entry)
        if not value or value in out:
            continue
        if len(value) > spec.max_length:
            errors.append(
                FieldError(
                    field,
                    _("%(label)s: %(value)s is %(length)s characters long; the most is %(max)s")
                    % {"label": spec.label, "value": repr(value[:40]), "length": len(value), "max": spec.max_length},
                    entry,
                )
            )
        elif spec.pattern and not re.fullmatch(spec.pattern, value):
            hint = spec.pattern_hint or _("the pattern %(pattern)s") % {"pattern": spec.pattern}
            errors.append(
                FieldError(
                    field,
                    _("%(label)s: %(value)s is not in the expected form; use %(hint)s")
                    % {"label": spec.label, "value": repr(value), "hint": hint},
                    entry,
                )
            )
        out.append(value)
    if errors:
        raise FieldErrors(errors)
    if spec.multiple:
        return out or None
    return out[0] if out else None


def _clean_choice(spec: ChoiceField, raw: Any, *, field: str, entry: int | None) -> str | list[str] | None:
    valid = [o.id for o in spec.options]
    items = _as_list(raw) if spec.multiple else ([] if raw is None or raw == "" else [raw])
    if items is None or any(not isinstance(item, str) for item in items):
        raise FieldErrors(
            [
                FieldError(
                    field,
                    _("%(label)s: send option ids (%(valid)s)") % {"label": spec.label, "valid": ", ".join(valid)},
                    entry,
                )
            ]
        )
    unknown = [item for item in items if item not in valid]
    if unknown:
        raise FieldErrors(
            [
                FieldError(
                    field,
                    _("%(label)s: %(unknown)s is not one of the options (%(valid)s)")
                    % {"label": spec.label, "unknown": ", ".join(map(repr, unknown)), "valid": ", ".join(valid)},
                    entry,
                )
            ]
        )
    chosen = [option for option in valid if option in items]  # the definition's order, without repeats
    if spec.multiple:
        return chosen or None
    return chosen[0] if chosen else None


def _clean_checklist(spec: ChecklistField, raw: Any, *, field: str, entry: int | None) -> list[str] | None:
    valid = [item.id for item in spec.items]
    items = _as_list(raw)
    if items is None or any(not isinstance(item, str) for item in items):
        raise FieldErrors(
            [
                FieldError(
                    field,
                    _("%(label)s: send the ticked item ids (%(valid)s)")
                    % {"label": spec.label, "valid": ", ".join(valid)},
                    entry,
                )
            ]
        )
    unknown = [item for item in items if item not in valid]
    if unknown:
        raise FieldErrors(
            [
                FieldError(
                    field,
                    _("%(label)s: %(unknown)s is not one of the items (%(valid)s)")
                    % {"label": spec.label, "unknown": ", ".join(map(repr, unknown)), "valid": ", ".join(valid)},
                    entry,
                )
            ]
        )
    return [item for item in valid if item in items] or None


def latest_today() -> date:
    """The latest date that is today somewhere on Earth: what a `not_after: today` date may be at most."""
    return (timezone.now() + _AHEAD_OF_UTC).date()


def future_date_message(spec: DateField, value: date, *, where: str | None = None) -> str:
    """What is said of a date after today in a field that records what has happened (`not_after: today`)."""
    return _(
        "%(where)s: %(day)s is after today; enter the date it happened (this form records what has already taken place)"
    ) % {"where": where or spec.label, "day": value.isoformat()}


def _clean_date(spec: DateField, raw: Any, *, field: str, entry: int | None) -> str | None:
    if raw is None or raw == "":
        return None
    problem = FieldError(
        field, _("%(label)s: enter a date as YYYY-MM-DD, as in 2025-03-14") % {"label": spec.label}, entry
    )
    if not isinstance(raw, str) or not ISO_DATE.match(raw.strip()):
        raise FieldErrors([problem])
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        message = _("%(label)s: %(value)s is not a real date") % {"label": spec.label, "value": raw.strip()}
        raise FieldErrors([FieldError(field, message, entry)]) from None
    if not 1900 <= value.year <= 2100:
        message = _("%(label)s: %(value)s is outside the years 1900 to 2100") % {"label": spec.label, "value": value}
        raise FieldErrors([FieldError(field, message, entry)])
    if spec.not_after == "today" and value > latest_today():
        raise FieldErrors([FieldError(field, future_date_message(spec, value), entry)])
    return value.isoformat()


def _clean_link(spec: LinkField, raw: Any, *, field: str, entry: int | None) -> list[str] | None:
    items = _as_list(raw)
    if items is None or any(not isinstance(item, str) for item in items):
        raise FieldErrors(
            [FieldError(field, _("%(label)s: send a link as text (or a list of links)") % {"label": spec.label}, entry)]
        )
    out: list[str] = []
    for item in items:
        url = _one_line(item, field=field, label=spec.label, entry=entry)
        if not url or url in out:
            continue
        parts = urlsplit(url)
        if len(url) > MAX_LINK_LENGTH or " " in url:
            raise FieldErrors(
                [FieldError(field, _("%(label)s: that is not a single web address") % {"label": spec.label}, entry)]
            )
        if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
            raise FieldErrors(
                [
                    FieldError(
                        field,
                        _(
                            "%(label)s: %(url)s is not a web address; paste a link that starts with https:// "
                            "(or http://)"
                        )
                        % {"label": spec.label, "url": repr(url[:80])},
                        entry,
                    )
                ]
            )
        out.append(url)
    if len(out) > spec.max_links:
        raise FieldErrors(
            [
                FieldError(
                    field,
                    ngettext(
                        "%(label)s: at most %(n)d link; you sent %(sent)d",
                        "%(label)s: at most %(n)d links; you sent %(sent)d",
                        spec.max_links,
                    )
                    % {"label": spec.label, "n": spec.max_links, "sent": len(out)},
                    entry,
                )
            ]
        )
    return out or None


def _clean_simple(spec: SubmissionField | ItemField, raw: Any, *, field: str, entry: int | None = None) -> Any:
    if isinstance(spec, TextField):
        return _clean_text(spec, raw, field=field, entry=entry)
    if isinstance(spec, ShortTextField):
        return _clean_short_text(spec, raw, field=field, entry=entry)
    if isinstance(spec, ChoiceField):
        return _clean_choice(spec, raw, field=field, entry=entry)
    if isinstance(spec, ChecklistField):
        return _clean_checklist(spec, raw, field=field, entry=entry)
    if isinstance(spec, DateField):
        return _clean_date(spec, raw, field=field, entry=entry)
    if isinstance(spec, LinkField):
        return _clean_link(spec, raw, field=field, entry=entry)
    raise FieldErrors(
        [FieldError(field, _("%(label)s: this kind of field cannot be saved here") % {"label": spec.label})]
    )


def _clean_list(spec: ListField, raw: Any, *, field: str) -> list[dict[str, Any]] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or any(not isinstance(entry, Mapping) for entry in raw):
        raise FieldErrors(
            [
                FieldError(
                    field, _("%(label)s: send a list of entries, each an object of item values") % {"label": spec.label}
                )
            ]
        )
    if len(raw) > spec.max_items:
        raise FieldErrors(
            [
                FieldError(
                    field,
                    _("%(label)s: at most %(max)s entries; you sent %(sent)s. Remove some and save again.")
                    % {"label": spec.label, "max": spec.max_items, "sent": len(raw)},
                )
            ]
        )
    items = {item.id: item for item in spec.item_fields}
    errors: list[FieldError] = []
    out: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    for position, entry in enumerate(raw, start=1):
        entry_id = entry.get("id")
        if not isinstance(entry_id, str) or not ENTRY_ID.match(entry_id) or entry_id in seen_ids:
            entry_id = secrets.token_hex(6)
        seen_ids.add(entry_id)
        cleaned: dict[str, Any] = {"id": entry_id}
        for key, value in entry.items():
            if key == "id":
                continue
            if key not in items:
                errors.append(
                    FieldError(
                        f"{field}.{key}",
                        _("%(label)s: entries have no item %(key)s (they have %(items)s)")
                        % {"label": spec.label, "key": repr(key), "items": ", ".join(items)},
                        position,
                    )
                )
                continue
            try:
                item_value = _clean_simple(items[key], value, field=f"{field}.{key}", entry=position)
            except FieldErrors as problem:
                # An item's label ("Date") is only clear beside its entry; a summary of errors needs the list too.
                errors.extend(
                    FieldError(
                        e.field,
                        _("%(label)s, entry %(entry)s: %(message)s")
                        % {"label": spec.label, "entry": position, "message": e.message},
                        e.entry,
                    )
                    for e in problem.errors
                )
                continue
            if item_value is not None:
                cleaned[key] = item_value
        out.append(cleaned)
    if errors:
        raise FieldErrors(errors)
    return out or None


def clean_change(definition: CredentialDefinition, ref: str, raw: Any) -> Any:
    """The value to store for the field `ref` ("part_id.field_id"), or None to clear it."""
    if not isinstance(ref, str) or ref.count(".") != 1:
        raise FieldErrors(
            [FieldError(str(ref), _("name a field as part_id.field_id; a list is saved whole, entries included"))]
        )
    try:
        spec = definition.field_at(ref)
    except ValueError:
        raise FieldErrors([FieldError(ref, _("there is no such field in this credential's form"))]) from None
    if isinstance(spec, FileField):
        raise FieldErrors(
            [FieldError(ref, _("%(label)s takes files: upload them as evidence instead") % {"label": spec.label})]
        )
    if isinstance(spec, ListField):
        return _clean_list(spec, raw, field=ref)
    return _clean_simple(spec, raw, field=ref)


def clean_self_evaluation(definition: CredentialDefinition, criterion_id: str, raw: Any) -> dict[str, str] | None:
    """A self-evaluation rating: {"level": level id, "justification": text}; None clears it."""
    field = f"self_evaluation.{criterion_id}"
    settings = definition.self_evaluation
    if not settings.enabled:
        raise FieldErrors([FieldError("self_evaluation", _("this credential has no self-evaluation"))])
    criterion = next((c for c in definition.rubric.criteria if c.id == criterion_id), None)
    if criterion is None:
        raise FieldErrors([FieldError(field, _("there is no such rubric element"))])
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or set(raw) - {"level", "justification"}:
        raise FieldErrors(
            [
                FieldError(
                    field, _("%(title)s: send an object with a level and a justification") % {"title": criterion.title}
                )
            ]
        )
    levels = [level.id for level in definition.rubric.levels]
    level = raw.get("level")
    if level is not None and level not in levels:
        raise FieldErrors(
            [
                FieldError(
                    field,
                    _("%(title)s: %(level)s is not a level of the rubric (%(levels)s)")
                    % {"title": criterion.title, "level": repr(level), "levels": ", ".join(levels)},
                )
            ]
        )
    out: dict[str, str] = {}
    if level:
        out["level"] = level
    justification = raw.get("justification")
    if justification is not None and settings.justification != "none":
        label = _("Justification for %(title)s") % {"title": criterion.title}
        spec = TextField(id="justification", label=label, kind="text")
        text = _clean_text(spec, justification, field=field, entry=None)
        if text:
            out["justification"] = text
    return out or None
