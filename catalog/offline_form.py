"""The submission form to fill offline: what it asks, drawn once from the definition for the DOCX, the PDF
and the reader that takes a filled DOCX back (submissions/offline_form.py).

Every answer space carries a stable anchor, `[mc:<ref>]` in a hidden run, where <ref> is what the draft
calls the field ("part.field", "part.list.item" for a list's column, "self_evaluation.<criterion>.level"
or ".justification"); the document says which credential and version it was made for in its core
properties' identifier and in a visible "Form id" line, so a form survives an editor that drops one of them.

The form is printed in the active language: the platform's words through gettext, the program's own text through
`definition_shown` (its translation where it has one, else the original as a `SourceText` that the Word and PDF
writers mark with its language). The anchors never change with the language, so either form reads back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings as django_settings
from django.utils import translation
from django.utils.translation import gettext as _

from catalog.definition_text import definition_shown
from catalog.presentation import DRAFT_NOTE, field_kind_words, field_limits
from catalog.schema import (
    FILE_TYPES,
    ChecklistField,
    ChoiceField,
    CredentialDefinition,
    DateField,
    FileField,
    ItemField,
    LinkField,
    ListField,
    Option,
    ShortTextField,
    SubmissionField,
    TextField,
)

FORM_KIND = "microcred-submission-form"
FORM_FORMAT = 1
FORM_CATEGORY = "Submission form"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_IDENTIFIER = re.compile(rf"{FORM_KIND}:(\d+):([a-z0-9-]+):([0-9a-f]{{8,64}})")
ANCHOR = re.compile(r"\[mc:([a-z][a-z0-9_.]*)\]")
SELF_EVALUATION = "self_evaluation"

EMPTY_BOX = "☐"
# What people put in place of the empty box to choose an option, in Word, LibreOffice or by typing.
CHOSEN_MARKS = ("☒", "☑", "✓", "✔", "✗", "✘", "■", "●", "[x]", "[X]", "(x)", "(X)", "x ", "X ")

AnswerKind = Literal["text", "lines", "date", "choice", "list", "file", "rating"]


def form_identifier(slug: str, content_hash: str) -> str:
    return f"{FORM_KIND}:{FORM_FORMAT}:{slug}:{content_hash}"


def form_identifier_parse(text: str) -> tuple[str, str] | None:
    """(slug, content hash) from an identifier or from text that holds one, or None."""
    found = _IDENTIFIER.search(text or "")
    return (found.group(2), found.group(3)) if found else None


def anchor(ref: str) -> str:
    return f"[mc:{ref}]"


def date_hint() -> str:
    return _("Write the date as YYYY-MM-DD, for example 2025-03-14")


def word_limit_words(field: TextField) -> str:
    if field.min_words is not None and field.max_words is not None:
        # An en dash between the numbers, as print has it (written as the character: xgettext reads no \u escape).
        return _("%(min)s–%(max)s words") % {"min": field.min_words, "max": field.max_words}  # noqa: RUF001
    if field.max_words is not None:
        return _("Up to %(max)s words") % {"max": field.max_words}
    if field.min_words is not None:
        return _("At least %(min)s words") % {"min": field.min_words}
    return ""


def _limits(spec: SubmissionField | ItemField) -> list[str]:
    if isinstance(spec, TextField):
        words = word_limit_words(spec)
        return [words] if words else []
    return field_limits(spec)


@dataclass(frozen=True)
class Column:
    """One column of a list's table: an item field of its entries."""

    ref: str
    spec: ItemField
    label: str
    hint: str


@dataclass(frozen=True)
class FormItem:
    """One question of the form with its answer space."""

    ref: str
    label: str
    answer: AnswerKind
    required: bool
    facts: str  # "Written response · Required"
    limits: list[str] = field(default_factory=list)
    guidance: str = ""
    prompts: list[str] = field(default_factory=list)
    draft: bool = False
    options: list[Option] = field(default_factory=list)
    multiple: bool = False
    columns: list[Column] = field(default_factory=list)
    rows: int = 0  # empty rows drawn for a list
    lines: int = 3  # how much room the answer space gets
    instruction: str = ""  # how to answer in this space
    justification_limit: str = ""  # for a rating: the limit of the "why" text


@dataclass(frozen=True)
class FormPart:
    id: str
    title: str
    intro: str
    optional: bool
    items: list[FormItem]


def _column_hint(spec: ItemField) -> str:
    if isinstance(spec, ChoiceField):
        return _("Write one of: %(options)s") % {"options": "; ".join(o.label for o in spec.options)}
    if isinstance(spec, ChecklistField):
        return _("Write the items that apply, separated by semicolons: %(items)s") % {
            "items": "; ".join(o.label for o in spec.items)
        }
    if isinstance(spec, DateField):
        return _("YYYY-MM-DD")
    return "; ".join([*_limits(spec), *([] if spec.required else [_("optional")])])


def _text_lines(spec: TextField) -> int:
    if not spec.multiline:
        return 1
    words = spec.max_words or 300
    return max(3, min(14, words // 40))


def _item(ref: str, spec: SubmissionField, answer: AnswerKind, **extra: Any) -> FormItem:
    return FormItem(
        ref=ref,
        label=spec.label,
        answer=answer,
        required=spec.required,
        facts=f"{field_kind_words(spec)} · {_('Required') if spec.required else _('Optional')}",
        limits=_limits(spec),
        guidance=spec.guidance or "",
        prompts=list(spec.prompts),
        draft=spec.draft,
        **extra,
    )


def form_item(ref: str, spec: SubmissionField) -> FormItem:
    if isinstance(spec, TextField):
        return _item(ref, spec, "text", lines=_text_lines(spec), instruction=_("Type your answer here."))
    if isinstance(spec, ChoiceField | ChecklistField):
        multiple = isinstance(spec, ChecklistField) or spec.multiple
        how = (
            _("Replace %(box)s with X beside each that applies.")
            if multiple
            else _("Replace %(box)s with X beside one option.")
        )
        options = spec.items if isinstance(spec, ChecklistField) else spec.options
        return _item(
            ref, spec, "choice", options=list(options), multiple=multiple, instruction=how % {"box": EMPTY_BOX}
        )
    if isinstance(spec, DateField):
        return _item(ref, spec, "date", lines=1, instruction=date_hint() + ".")
    if isinstance(spec, ShortTextField | LinkField):
        several = (isinstance(spec, ShortTextField) and spec.multiple) or (
            isinstance(spec, LinkField) and spec.max_links > 1
        )
        if isinstance(spec, LinkField):
            how = _("One link per line.") if several else _("Type your link here.")
        else:
            how = _("One answer per line.") if several else _("Type your answer here.")
        return _item(ref, spec, "lines", lines=2 if several else 1, instruction=how)
    if isinstance(spec, FileField):
        accepted = ", ".join(_(FILE_TYPES[kind]) for kind in spec.accept)
        return _item(
            ref,
            spec,
            "file",
            instruction=_(
                "Attach on the platform: %(label)s, accepted types: %(types)s. Files cannot be sent in this form."
            )
            % {"label": spec.label, "types": accepted},
        )
    assert isinstance(spec, ListField)
    columns = [Column(f"{ref}.{item.id}", item, item.label, _column_hint(item)) for item in spec.item_fields]
    return _item(
        ref,
        spec,
        "list",
        columns=columns,
        rows=min(max(spec.min_items, 3), spec.max_items),
        instruction=_("One row per %(item)s; add rows as you need them.") % {"item": spec.item_label.lower()},
    )


def _rating_items(spec: CredentialDefinition) -> list[FormItem]:
    settings = spec.self_evaluation
    limit = ""
    if settings.justification == "required":
        limit = _("Up to %(max)s words") % {"max": settings.justification_max_words}
    elif settings.justification == "optional":
        limit = _("Up to %(max)s words (optional)") % {"max": settings.justification_max_words}
    facts = (
        _("Self-evaluation: choose a level")
        if settings.justification == "none"
        else _("Self-evaluation: choose a level and say why")
    )
    return [
        FormItem(
            ref=f"{SELF_EVALUATION}.{criterion.id}",
            label=criterion.title,
            answer="rating",
            required=True,
            facts=facts,
            guidance=criterion.description or "",
            draft=criterion.draft,
            options=[Option(id=level.id, label=level.label) for level in spec.rubric.levels],
            instruction=_("Replace %(box)s with X beside one level.") % {"box": EMPTY_BOX},
            justification_limit=limit,
            lines=4,
        )
        for criterion in spec.rubric.criteria
    ]


def form_parts(spec: CredentialDefinition) -> list[FormPart]:
    """The form's parts in the order the educator meets them on the platform, the self-evaluation included, in
    the active language."""
    spec = definition_shown(spec)
    parts: list[FormPart] = []
    settings = spec.self_evaluation
    rating_part = FormPart(
        SELF_EVALUATION, _("Self-evaluation"), settings.instructions or "", False, _rating_items(spec)
    )
    for part in spec.parts:
        items = [form_item(f"{part.id}.{f.id}", f) for f in part.fields]
        parts.append(FormPart(part.id, part.title, part.intro or "", part.optional, items))
        if settings.enabled and settings.after_part == part.id:
            parts.append(rating_part)
    if settings.enabled and settings.after_part is None:
        parts.append(rating_part)
    return parts


def form_items(spec: CredentialDefinition) -> dict[str, FormItem]:
    return {item.ref: item for part in form_parts(spec) for item in part.items}


@dataclass(frozen=True)
class FormCheck:
    """A rule the platform checks before submitting, as the credential page states it."""

    lead: str  # "Required before you can submit" or "Advice"
    message: str
    draft: bool


def form_checks(spec: CredentialDefinition) -> list[FormCheck]:
    return [
        FormCheck(
            _("Required before you can submit") if check.severity == "blocking" else _("Advice"),
            check.message,
            check.draft,
        )
        for check in definition_shown(spec).checks
    ]


def form_options_every_language(spec: CredentialDefinition) -> dict[str, list[Option]]:
    """Each choice's options (a field's, a list column's, a self-evaluation's levels) as the form prints them in
    every language, all with their own ids: a form printed in one language and uploaded in another still reads."""
    found: dict[str, list[Option]] = {}
    active = translation.get_language() or django_settings.LANGUAGE_CODE
    languages = [code for code, _name in django_settings.LANGUAGES]
    for language in sorted(languages, key=lambda code: code != active):
        with translation.override(language):
            for part in form_parts(spec):
                for item in part.items:
                    found.setdefault(item.ref, []).extend(item.options)
                    for column in item.columns:
                        options = _column_options(column.spec)
                        found.setdefault(column.ref, []).extend(options)
    return found


def _column_options(spec: ItemField) -> list[Option]:
    if isinstance(spec, ChoiceField):
        return list(spec.options)
    if isinstance(spec, ChecklistField):
        return list(spec.items)
    return []


def form_filename(slug: str, extension: str) -> str:
    return f"{slug}-submission-form.{extension}"


__all__ = [
    "ANCHOR",
    "CHOSEN_MARKS",
    "DOCX_TYPE",
    "DRAFT_NOTE",
    "EMPTY_BOX",
    "FORM_CATEGORY",
    "SELF_EVALUATION",
    "Column",
    "FormCheck",
    "FormItem",
    "FormPart",
    "anchor",
    "date_hint",
    "form_checks",
    "form_filename",
    "form_identifier",
    "form_identifier_parse",
    "form_items",
    "form_options_every_language",
    "form_parts",
    "word_limit_words",
]
