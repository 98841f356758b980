"""The widgets a step template draws, built from the credential definition and the draft's values.

`step_widgets` turns a part of the definition into one widget per field, drawn from its kind; `rating_widgets`
does the same for the self-evaluation. Nothing here knows a program. Every widget carries the fingerprint of what
the draft holds (see parsing.digest) and the `shape` its value is stored in, which the page's script reads to
autosave it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_noop

from catalog.presentation import field_limits
from catalog.schema import (
    FILE_TYPES,
    ChecklistField,
    ChoiceField,
    CredentialDefinition,
    Criterion,
    DateField,
    FileField,
    ItemField,
    LinkField,
    ListField,
    Part,
    ShortTextField,
    SubmissionField,
    TextField,
)
from core.errors import FieldError
from pages.submissions.parsing import RATING_KEY_PREFIX, as_strings, digest
from pages.submissions.steps import criterion_id, field_id
from submissions.models import Evidence
from submissions.values import word_count

# What the browser's file picker offers for each accepted kind; the server still decides by content.
ACCEPT_ATTRIBUTE: dict[str, str] = {
    "pdf": ".pdf,application/pdf",
    "docx": ".docx",
    "xlsx": ".xlsx",
    "pptx": ".pptx",
    "csv": ".csv,text/csv",
    "txt": ".txt,text/plain",
    "image": "image/png,image/jpeg,image/gif,image/webp",
    "audio": "audio/*,.mp3,.m4a,.wav,.ogg",
}

# Marked here, said in the page's language where the step is drawn (pages/submissions/context.py).
STUDENT_DATA_REMINDER = gettext_noop(
    "This may hold student data: remove student names and identifiers (use initials or numbers instead)."
)


@dataclass
class Option:
    id: str
    label: str
    description: str | None
    checked: bool
    html_id: str


@dataclass
class Entry:
    position: int  # 1-based, as the page numbers entries and findings count them
    entry_id: str
    legend: str
    widgets: list[Widget]
    errors: list[str] = field(default_factory=list)


@dataclass
class Widget:
    """One field as the step template draws it."""

    kind: str
    ref: str  # "part.field", or "part.list.item" for an item of a list entry
    name: str  # the form name: the ref, with the entry position inside a list
    html_id: str
    label: str
    guidance: str | None = None
    prompts: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    required: bool = True
    text: str = ""
    values: list[str] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    multiple: bool = False
    input_type: str = "text"
    multiline: bool = True
    max_words: int | None = None
    words: int = 0
    max_length: int | None = None
    pattern_hint: str | None = None
    student_data: bool = False
    errors: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    accept: str = ""
    accept_words: str = ""
    max_files: int = 0
    max_size_mb: float = 0
    entries: list[Entry] = field(default_factory=list)
    item_label: str = ""
    min_items: int = 0
    max_items: int = 0
    digest: str = ""
    max_values: int = 1
    notice: str = ""  # what just happened to the field's files, read out where they are listed
    # A file field's student-data answers as posted with a refused upload ("yes", "no" or ""), kept for the retry.
    student_data_answer: str = ""
    student_data_consent: bool = False

    @property
    def over_limit(self) -> bool:
        return self.max_words is not None and self.words > self.max_words

    @property
    def over_by(self) -> int:
        return self.words - self.max_words if self.max_words is not None and self.words > self.max_words else 0

    @property
    def item_id(self) -> str:
        return self.ref.rsplit(".", 1)[-1]

    @property
    def has_hint(self) -> bool:
        return bool(self.guidance or self.prompts or self.limits or self.student_data)

    @property
    def described_by(self) -> str:
        ids = [f"{self.html_id}-hint"] if self.has_hint else []
        if self.kind == "text":
            ids.append(f"{self.html_id}-count")
        if self.errors:
            ids.append(f"{self.html_id}-error")
        return " ".join(ids)

    @property
    def can_add_value(self) -> bool:
        return len(self.values) < self.max_values

    @property
    def shape(self) -> str:
        """How the value is stored, as parsing reads it back: one value, a list of values, or list entries."""
        if self.kind == "list":
            return "list"
        if self.kind in ("checklist", "link") or (self.kind in ("choice", "short_text") and self.multiple):
            return "many"
        return "one"

    @property
    def last_value_id(self) -> str:
        """The id of the last of several values' boxes, where "Add another value" leaves the cursor."""
        return self.html_id if len(self.values) <= 1 else f"{self.html_id}--{len(self.values)}"


def _options(choices: Sequence[Any], chosen: list[str], base_id: str) -> list[Option]:
    out = []
    for index, option in enumerate(choices):
        html_id = base_id if index == 0 else f"{base_id}--{option.id}"
        out.append(Option(option.id, option.label, option.description, option.id in chosen, html_id))
    return out


def _simple_widget(
    spec: SubmissionField | ItemField,
    value: Any,
    *,
    ref: str,
    name: str,
    html_id: str,
    errors: list[str],
) -> Widget:
    widget = Widget(
        kind=spec.kind,
        ref=ref,
        name=name,
        html_id=html_id,
        label=spec.label,
        guidance=spec.guidance,
        prompts=list(spec.prompts),
        limits=field_limits(spec),
        required=spec.required,
        errors=errors,
    )
    if isinstance(spec, TextField):
        widget.text = value if isinstance(value, str) else ""
        widget.multiline = spec.multiline
        widget.max_words = spec.max_words
        widget.words = word_count(widget.text)
        widget.student_data = spec.contains_student_data
    elif isinstance(spec, ShortTextField):
        widget.multiple = spec.multiple
        widget.max_length = spec.max_length
        widget.pattern_hint = spec.pattern_hint
        widget.values = as_strings(value)
        if spec.multiple:
            widget.max_values = 50
            if not widget.values or widget.values[-1]:
                widget.values.append("")
        else:
            widget.text = widget.values[0] if widget.values else ""
    elif isinstance(spec, ChoiceField):
        widget.multiple = spec.multiple
        widget.options = _options(spec.options, as_strings(value), html_id)
    elif isinstance(spec, ChecklistField):
        widget.multiple = True
        widget.options = _options(spec.items, as_strings(value), html_id)
    elif isinstance(spec, DateField):
        widget.input_type = "date"
        widget.text = value if isinstance(value, str) else ""
    elif isinstance(spec, LinkField):
        widget.input_type = "url"
        widget.max_values = spec.max_links
        widget.multiple = spec.max_links > 1
        widget.values = as_strings(value)[: spec.max_links]
        if len(widget.values) < spec.max_links and (not widget.values or widget.values[-1]):
            widget.values.append("")
    return widget


def _entry(
    spec: ListField,
    ref: str,
    entry: Mapping[str, Any],
    position: int,
    errors: Mapping[tuple[str, int | None], list[str]],
) -> Entry:
    widgets = []
    for item in spec.item_fields:
        item_ref = f"{ref}.{item.id}"
        widgets.append(
            _simple_widget(
                item,
                entry.get(item.id),
                ref=item_ref,
                name=f"{ref}.{position}.{item.id}",
                html_id=field_id(item_ref, position),
                errors=list(errors.get((item_ref, position), [])),
            )
        )
    entry_id = entry.get("id")
    return Entry(
        position=position,
        entry_id=entry_id if isinstance(entry_id, str) else "",
        legend=f"{spec.item_label} {position}",
        widgets=widgets,
    )


def _list_widget(
    spec: ListField,
    value: Any,
    *,
    ref: str,
    errors: Mapping[tuple[str, int | None], list[str]],
) -> Widget:
    widget = _simple_widget_base(spec, ref=ref, errors=list(errors.get((ref, None), [])))
    entries = [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []
    # Show the list's shape at once: as many blank entries as the definition asks for at least.
    padded: list[Mapping[str, Any]] = [*entries, *([{}] * max(0, max(spec.min_items, 1) - len(entries)))]
    widget.entries = [_entry(spec, ref, entry, n, errors) for n, entry in enumerate(padded, start=1)]
    widget.item_label = spec.item_label
    widget.min_items = spec.min_items
    widget.max_items = spec.max_items
    return widget


def _simple_widget_base(spec: SubmissionField, *, ref: str, errors: list[str]) -> Widget:
    return Widget(
        kind=spec.kind,
        ref=ref,
        name=ref,
        html_id=field_id(ref),
        label=spec.label,
        guidance=spec.guidance,
        prompts=list(spec.prompts),
        limits=field_limits(spec),
        required=spec.required,
        errors=errors,
    )


def _file_widget(spec: FileField, *, ref: str, files: list[Evidence], errors: list[str]) -> Widget:
    widget = _simple_widget_base(spec, ref=ref, errors=errors)
    widget.evidence = files
    widget.accept = ",".join(ACCEPT_ATTRIBUTE[kind] for kind in spec.accept)
    widget.accept_words = ", ".join(FILE_TYPES[kind] for kind in spec.accept)
    widget.max_files = spec.max_files
    widget.max_size_mb = spec.max_size_mb
    widget.student_data = spec.contains_student_data
    widget.multiple = spec.max_files > 1
    return widget


def errors_by_field(errors: Sequence[FieldError]) -> dict[tuple[str, int | None], list[str]]:
    out: dict[tuple[str, int | None], list[str]] = {}
    for error in errors:
        out.setdefault((error.field, error.entry), []).append(error.message)
    return out


def step_widgets(
    part: Part,
    *,
    values: Mapping[str, Any],
    stored: Mapping[str, Any],
    evidence: Sequence[Evidence],
    errors: Sequence[FieldError] = (),
) -> list[Widget]:
    """The widgets of one part: `values` ({ref: value}) is what the fields show (the draft, or what was just
    posted), `stored` what the draft holds (fingerprinted so an unchanged field is not re-sent)."""
    by_field = errors_by_field(errors)
    widgets = []
    for spec in part.fields:
        ref = f"{part.id}.{spec.id}"
        if isinstance(spec, FileField):
            files = [item for item in evidence if item.field_ref == ref]
            widget = _file_widget(spec, ref=ref, files=files, errors=by_field.get((ref, None), []))
        elif isinstance(spec, ListField):
            widget = _list_widget(spec, values.get(ref), ref=ref, errors=by_field)
        else:
            widget = _simple_widget(
                spec, values.get(ref), ref=ref, name=ref, html_id=field_id(ref), errors=by_field.get((ref, None), [])
            )
        widget.digest = digest(stored.get(ref))
        widgets.append(widget)
    return widgets


def draft_values(responses: Mapping[str, Mapping[str, Any]], part: Part) -> dict[str, Any]:
    return {f"{part.id}.{spec.id}": responses.get(part.id, {}).get(spec.id) for spec in part.fields}


# ----- self-evaluation -----------------------------------------------------------------------------


@dataclass
class Rating:
    criterion: Criterion
    html_id: str
    levels: list[Option]
    descriptors: list[tuple[str, str]]  # (level label, descriptor)
    justification: str
    words: int
    max_words: int
    justification_mode: str
    errors: list[str]
    digest: str

    @property
    def key(self) -> str:
        return RATING_KEY_PREFIX + self.criterion.id

    @property
    def over_by(self) -> int:
        return max(0, self.words - self.max_words)

    @property
    def over_limit(self) -> bool:
        return self.words > self.max_words


def rating_widgets(
    definition: CredentialDefinition,
    *,
    values: Mapping[str, Any],
    stored: Mapping[str, Any],
    errors: Sequence[FieldError] = (),
) -> list[Rating]:
    settings = definition.self_evaluation
    by_field = errors_by_field(errors)
    out = []
    for criterion in definition.rubric.criteria:
        value = values.get(criterion.id) or {}
        chosen = value.get("level") if isinstance(value, Mapping) else None
        justification = value.get("justification") if isinstance(value, Mapping) else None
        html_id = criterion_id(criterion.id)
        levels = [
            Option(
                level.id,
                level.label,
                criterion.descriptors.get(level.id),
                level.id == chosen,
                html_id if index == 0 else f"{html_id}--{level.id}",
            )
            for index, level in enumerate(definition.rubric.levels)
        ]
        out.append(
            Rating(
                criterion=criterion,
                html_id=html_id,
                levels=levels,
                descriptors=[(level.label, criterion.descriptors[level.id]) for level in definition.rubric.levels],
                justification=justification if isinstance(justification, str) else "",
                words=word_count(justification if isinstance(justification, str) else ""),
                max_words=settings.justification_max_words,
                justification_mode=settings.justification,
                errors=by_field.get((f"self_evaluation.{criterion.id}", None), []),
                digest=digest(stored.get(criterion.id)),
            )
        )
    return out
