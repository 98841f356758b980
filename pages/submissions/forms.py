"""The submission pages' form layer: every step is generated from the credential definition.

`step_widgets` turns a part of the definition (and the draft's values) into the widgets a template
renders; `parse_part` and `parse_self_evaluation` read a posted step back into the shape the draft
stores, so `draft_save` validates it exactly as it validates the API's JSON. Nothing here knows a
program: a field is drawn from its kind.

Element ids follow one scheme, which static/js/submission.js repeats to link completeness findings:
a field's focus target is `f-<part>-<field>`, an item of a list entry `f-<part>-<list>-<n>-<item>`
(n counted from 1, as findings count entries) and a self-evaluation rating `se-<criterion>`.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import QueryDict
from django.urls import reverse

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
from submissions.checks import Finding
from submissions.errors import FieldConflict, FieldError
from submissions.models import Evidence, Submission
from submissions.values import FieldErrors, clean_change, clean_self_evaluation, is_filled, word_count

SELF_EVALUATION = "self-evaluation"
SUMMARY = "summary"
ENTRY_PLACEHOLDER = "__n__"
DIGEST_PREFIX = "_digest."
SELF_EVALUATION_PREFIX = "se."

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

STUDENT_DATA_REMINDER = (
    "This may hold student data: remove student names and identifiers (use initials or numbers instead)."
)


# ----- steps ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    number: int
    key: str  # a part id, SELF_EVALUATION or SUMMARY
    title: str
    url: str
    part: Part | None = None


def steps_for(submission: Submission) -> list[Step]:
    """One step per part, the self-evaluation where the definition puts it (after its `after_part`, else
    after every part) when it asks for one, then the summary."""
    spec = submission.version.spec
    sid = submission.pk
    rating: tuple[str, str, str, Part | None] | None = None
    if spec.self_evaluation.enabled:
        rating = (SELF_EVALUATION, "Self-evaluation", reverse("submissions:self_evaluation", args=[sid]), None)
    entries: list[tuple[str, str, str, Part | None]] = []
    for part in spec.parts:
        entries.append((part.id, part.title, reverse("submissions:part", args=[sid, part.id]), part))
        if rating is not None and spec.self_evaluation.after_part == part.id:
            entries.append(rating)
            rating = None
    if rating is not None:
        entries.append(rating)
    entries.append((SUMMARY, "Check and submit", reverse("submissions:summary", args=[sid]), None))
    return [Step(number, *entry) for number, entry in enumerate(entries, start=1)]


def step_of(steps: Sequence[Step], key: str) -> Step | None:
    return next((s for s in steps if s.key == key), None)


# ----- ids and names -------------------------------------------------------------------------------


def field_id(ref: str, entry: int | None = None) -> str:
    """The id of the element a link to this field (or list item, in entry n) should focus."""
    bits = ref.split(".")
    if entry is not None and len(bits) == 3:
        return f"f-{bits[0]}-{bits[1]}-{entry}-{bits[2]}"
    if len(bits) == 3:  # a list item named without its entry: go to the list
        return f"f-{bits[0]}-{bits[1]}"
    return "f-" + "-".join(bits)


def criterion_id(criterion: str) -> str:
    return f"se-{criterion}"


def part_of(ref: str) -> str:
    return ref.split(".", 1)[0]


# ----- values --------------------------------------------------------------------------------------


def _strip_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k != "id"}
    return value


def digest(value: Any) -> str:
    """A short fingerprint of a stored value (list entry ids ignored), sent with the page so that a posted
    step only saves the fields the educator changed: a field left alone must not conflict with another
    tab's newer save of it."""
    canonical = json.dumps(_strip_ids(value), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def changed_only(
    definition: CredentialDefinition, posted: Mapping[str, Any], digests: Mapping[str, str]
) -> dict[str, Any]:
    """The posted fields whose value differs from the one the page was rendered with."""
    out: dict[str, Any] = {}
    for ref, raw in posted.items():
        try:
            cleaned = clean_change(definition, ref, raw)
        except FieldErrors:
            out[ref] = raw  # let the save refuse it, naming the field
            continue
        if digests.get(ref) != digest(cleaned):
            out[ref] = raw
    return out


def changed_ratings(
    definition: CredentialDefinition, posted: Mapping[str, Any], digests: Mapping[str, str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for criterion, raw in posted.items():
        try:
            cleaned = clean_self_evaluation(definition, criterion, raw)
        except FieldErrors:
            out[criterion] = raw
            continue
        if digests.get(SELF_EVALUATION_PREFIX + criterion) != digest(cleaned):
            out[criterion] = raw
    return out


def posted_digests(data: QueryDict) -> dict[str, str]:
    return {key[len(DIGEST_PREFIX) :]: str(data.get(key, "")) for key in data if key.startswith(DIGEST_PREFIX)}


# ----- parsing a posted step -----------------------------------------------------------------------


def _parse_simple(spec: SubmissionField | ItemField, name: str, data: QueryDict) -> Any:
    if isinstance(spec, TextField | DateField):
        return data.get(name, "")
    if isinstance(spec, ShortTextField):
        return data.getlist(name) if spec.multiple else data.get(name, "")
    if isinstance(spec, ChoiceField):
        return data.getlist(name) if spec.multiple else (data.get(name) or None)
    if isinstance(spec, ChecklistField | LinkField):
        return data.getlist(name)
    return None


def _entry_positions(name: str, data: QueryDict) -> list[int]:
    pattern = re.compile(rf"^{re.escape(name)}\.(\d+)\.id$")
    found = {int(m.group(1)) for key in data if (m := pattern.match(key))}
    return sorted(found)


def parse_list(spec: ListField, name: str, data: QueryDict) -> list[dict[str, Any]]:
    """The entries of a posted list, in page order. A new entry (no id yet) left entirely blank is not an
    entry: the page pads lists with blank ones to show their shape."""
    entries: list[dict[str, Any]] = []
    for position in _entry_positions(name, data):
        prefix = f"{name}.{position}"
        entry: dict[str, Any] = {item.id: _parse_simple(item, f"{prefix}.{item.id}", data) for item in spec.item_fields}
        entry_id = data.get(f"{prefix}.id", "")
        if entry_id:
            entry = {"id": entry_id, **entry}
        elif not is_filled(entry):
            continue
        entries.append(entry)
    return entries


def apply_list_action(data: QueryDict, action: str) -> QueryDict:
    """The posted data as the list buttons (the way to edit a list without JavaScript) leave it:
    "add_entry:<ref>" adds a blank entry; "remove_entry:<ref>:<n>" drops the entry shown as number n.
    Removing works on the posted names, before blank entries are skipped, so n is the number on the page."""
    kind, _, rest = action.partition(":")
    if kind == "add_entry" and rest:
        changed = data.copy()
        positions = _entry_positions(rest, data)
        # An id marks the blank entry as one to keep (the parser skips blank entries without one).
        changed[f"{rest}.{(positions[-1] if positions else 0) + 1}.id"] = secrets.token_hex(6)
        return changed
    if kind == "remove_entry":
        ref, _, position = rest.rpartition(":")
        prefix = f"{ref}.{position}."
        changed = data.copy()
        for key in [k for k in changed if k.startswith(prefix)]:
            del changed[key]
        return changed
    return data


def parse_part(part: Part, data: QueryDict) -> dict[str, Any]:
    """{ref: raw value} for every field of the part but its files (uploads are separate)."""
    out: dict[str, Any] = {}
    for spec in part.fields:
        ref = f"{part.id}.{spec.id}"
        if isinstance(spec, FileField):
            continue
        if isinstance(spec, ListField):
            out[ref] = parse_list(spec, ref, data)
        else:
            out[ref] = _parse_simple(spec, ref, data)
    return out


def parse_self_evaluation(definition: CredentialDefinition, data: QueryDict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for criterion in definition.rubric.criteria:
        prefix = f"{SELF_EVALUATION_PREFIX}{criterion.id}"
        rating: dict[str, Any] = {"level": data.get(f"{prefix}.level") or None}
        if definition.self_evaluation.justification != "none":
            rating["justification"] = data.get(f"{prefix}.justification", "")
        out[criterion.id] = rating
    return out


# ----- widgets -------------------------------------------------------------------------------------


@dataclass
class Option:
    id: str
    label: str
    description: str | None
    checked: bool
    html_id: str


@dataclass
class Entry:
    position: int | str  # 1-based, or the placeholder in the template for new entries
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
    template_entry: Entry | None = None
    item_label: str = ""
    min_items: int = 0
    max_items: int = 0
    digest: str = ""
    max_values: int = 1

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


def _as_strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float)]
    return [str(value)]


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
        widget.values = _as_strings(value)
        if spec.multiple:
            widget.max_values = 50
            if not widget.values or widget.values[-1]:
                widget.values.append("")
        else:
            widget.text = widget.values[0] if widget.values else ""
    elif isinstance(spec, ChoiceField):
        widget.multiple = spec.multiple
        widget.options = _options(spec.options, _as_strings(value), html_id)
    elif isinstance(spec, ChecklistField):
        widget.multiple = True
        widget.options = _options(spec.items, _as_strings(value), html_id)
    elif isinstance(spec, DateField):
        widget.input_type = "date"
        widget.text = value if isinstance(value, str) else ""
    elif isinstance(spec, LinkField):
        widget.input_type = "url"
        widget.max_values = spec.max_links
        widget.multiple = spec.max_links > 1
        widget.values = _as_strings(value)[: spec.max_links]
        if len(widget.values) < spec.max_links and (not widget.values or widget.values[-1]):
            widget.values.append("")
    return widget


def _entry(
    spec: ListField,
    ref: str,
    entry: Mapping[str, Any],
    position: int | str,
    errors: Mapping[tuple[str, int | None], list[str]],
) -> Entry:
    part_id, list_id = ref.split(".")
    widgets = []
    for item in spec.item_fields:
        item_ref = f"{ref}.{item.id}"
        entry_number = position if isinstance(position, int) else None
        widgets.append(
            _simple_widget(
                item,
                entry.get(item.id),
                ref=item_ref,
                name=f"{ref}.{position}.{item.id}",
                html_id=f"f-{part_id}-{list_id}-{position}-{item.id}",
                errors=list(errors.get((item_ref, entry_number), [])) if entry_number is not None else [],
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
    widget.template_entry = _entry(spec, ref, {}, ENTRY_PLACEHOLDER, {})
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
    def over_by(self) -> int:
        return max(0, self.words - self.max_words)


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


# ----- findings ------------------------------------------------------------------------------------


@dataclass
class FindingView:
    message: str
    blocking: bool
    target: str  # the field's label (with the entry), as the link names it
    url: str


@dataclass
class FindingGroup:
    key: str
    title: str
    findings: list[FindingView]

    @property
    def blocking(self) -> list[FindingView]:
        return [f for f in self.findings if f.blocking]

    @property
    def advisory(self) -> list[FindingView]:
        return [f for f in self.findings if not f.blocking]


def _target_label(definition: CredentialDefinition, finding: Finding) -> str:
    if finding.criterion:
        title = next((c.title for c in definition.rubric.criteria if c.id == finding.criterion), finding.criterion)
        return f"Self-evaluation: {title}"
    if not finding.field:
        return "The whole submission"
    try:
        spec = definition.field_at(finding.field)
    except ValueError:
        return finding.field
    if finding.entry is not None and finding.field.count(".") == 2:
        parent = definition.field_at(finding.field.rsplit(".", 1)[0])
        item_label = parent.item_label if isinstance(parent, ListField) else "Entry"
        return f"{spec.label} ({item_label} {finding.entry})"
    return spec.label


def _trimmed(definition: CredentialDefinition, finding: Finding) -> str:
    """The message without the field name it starts with, since the link before it names the field."""
    prefixes: list[str] = []
    if finding.criterion:
        title = next((c.title for c in definition.rubric.criteria if c.id == finding.criterion), "")
        prefixes.append(f"Self-evaluation, {title}:")
    elif finding.field:
        try:
            label = definition.field_at(finding.field).label
        except ValueError:
            label = ""
        if label:
            prefixes += [f"{label} (entry {finding.entry}):", f"{label}:"]
    for prefix in prefixes:
        if finding.message.startswith(prefix):
            rest = finding.message[len(prefix) :].strip()
            return rest[:1].upper() + rest[1:]
    return finding.message


def finding_groups(
    definition: CredentialDefinition, findings: Sequence[Finding], steps: Sequence[Step]
) -> list[FindingGroup]:
    """The findings grouped by the step they send the educator to, in step order."""
    groups: dict[str, FindingGroup] = {}
    for step in steps:
        groups[step.key] = FindingGroup(step.key, step.title, [])
    summary = step_of(steps, SUMMARY)
    assert summary is not None
    for finding in findings:
        if finding.criterion:
            step = step_of(steps, SELF_EVALUATION) or summary
            anchor = criterion_id(finding.criterion)
        elif finding.field:
            step = step_of(steps, part_of(finding.field)) or summary
            anchor = field_id(finding.field, finding.entry)
        else:
            step, anchor = summary, "main"
        groups[step.key].findings.append(
            FindingView(
                message=_trimmed(definition, finding),
                blocking=finding.severity == "blocking",
                target=_target_label(definition, finding),
                url=f"{step.url}#{anchor}",
            )
        )
    return [group for group in groups.values() if group.findings]


# ----- read-only answers (summary, attempt, conflicts) -----------------------------------------------


@dataclass
class Answer:
    """A saved value in words, for the summary step, a frozen attempt and a conflict."""

    label: str
    kind: str
    html_id: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    entries: list[tuple[str, list[Answer]]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    words: int | None = None
    max_words: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.text or self.items or self.links or self.entries or self.files)


def _date_words(value: str) -> str:
    try:
        return date.fromisoformat(value).strftime("%-d %B %Y")
    except ValueError:
        return value


def answer_for(spec: SubmissionField | ItemField, value: Any, *, ref: str, files: Sequence[Any] = ()) -> Answer:
    answer = Answer(label=spec.label, kind=spec.kind, html_id=field_id(ref))
    if isinstance(spec, TextField):
        answer.text = value if isinstance(value, str) else ""
        answer.words = word_count(answer.text)
        answer.max_words = spec.max_words
    elif isinstance(spec, ShortTextField):
        answer.items = _as_strings(value)
    elif isinstance(spec, ChoiceField):
        chosen = _as_strings(value)
        answer.items = [o.label for o in spec.options if o.id in chosen]
    elif isinstance(spec, ChecklistField):
        ticked = _as_strings(value)
        answer.items = [item.label for item in spec.items if item.id in ticked]
    elif isinstance(spec, DateField):
        answer.text = _date_words(value) if isinstance(value, str) else ""
    elif isinstance(spec, LinkField):
        answer.links = _as_strings(value)
    elif isinstance(spec, FileField):
        answer.files = list(files)
    elif isinstance(spec, ListField):
        entries = value if isinstance(value, list) else []
        for position, entry in enumerate(e for e in entries if isinstance(e, Mapping) and is_filled(e)):
            answer.entries.append(
                (
                    f"{spec.item_label} {position + 1}",
                    [answer_for(item, entry.get(item.id), ref=f"{ref}.{item.id}") for item in spec.item_fields],
                )
            )
    return answer


def part_answers(
    part: Part, responses: Mapping[str, Mapping[str, Any]], files: Sequence[Mapping[str, Any]]
) -> list[Answer]:
    """`files` are manifest-shaped dicts ({"id", "field", "name", "size", ...})."""
    saved = responses.get(part.id, {})
    out = []
    for spec in part.fields:
        ref = f"{part.id}.{spec.id}"
        out.append(answer_for(spec, saved.get(spec.id), ref=ref, files=[f for f in files if f.get("field") == ref]))
    return out


def rating_answers(definition: CredentialDefinition, ratings: Mapping[str, Any]) -> list[dict[str, Any]]:
    levels = {level.id: level.label for level in definition.rubric.levels}
    out = []
    for criterion in definition.rubric.criteria:
        rating = ratings.get(criterion.id) or {}
        out.append(
            {
                "criterion": criterion,
                "level": levels.get(rating.get("level", ""), ""),
                "justification": rating.get("justification", ""),
            }
        )
    return out


@dataclass
class ConflictView:
    label: str
    html_id: str
    yours: Answer
    theirs: Answer
    key: str  # the field reference, or "self_evaluation:<criterion>"


def conflict_views(definition: CredentialDefinition, conflicts: Sequence[FieldConflict]) -> list[ConflictView]:
    levels = {level.id: level.label for level in definition.rubric.levels}
    out = []
    for conflict in conflicts:
        if conflict.section == "self_evaluation":
            title = next((c.title for c in definition.rubric.criteria if c.id == conflict.field), conflict.field)

            def rating(value: Any, title: str = title) -> Answer:
                value = value if isinstance(value, Mapping) else {}
                level = levels.get(value.get("level") or "", "no level chosen")
                return Answer(label=title, kind="text", html_id="", text=f"{level}. {value.get('justification') or ''}")

            out.append(
                ConflictView(
                    f"Self-evaluation: {title}",
                    criterion_id(conflict.field),
                    rating(conflict.yours),
                    rating(conflict.theirs),
                    f"self_evaluation:{conflict.field}",
                )
            )
            continue
        spec = definition.field_at(conflict.field)
        out.append(
            ConflictView(
                spec.label,
                field_id(conflict.field),
                answer_for(spec, conflict.yours, ref=conflict.field),
                answer_for(spec, conflict.theirs, ref=conflict.field),
                conflict.field,
            )
        )
    return out


# ----- the script's configuration ----------------------------------------------------------------------


def _field_config(spec: SubmissionField | ItemField) -> dict[str, Any]:
    config: dict[str, Any] = {"kind": spec.kind, "label": spec.label}
    if isinstance(spec, ChoiceField):
        config["options"] = {o.id: o.label for o in spec.options}
        config["multiple"] = spec.multiple
    elif isinstance(spec, ChecklistField):
        config["options"] = {o.id: o.label for o in spec.items}
    elif isinstance(spec, ShortTextField):
        config["multiple"] = spec.multiple
    elif isinstance(spec, LinkField):
        config["multiple"] = spec.max_links > 1
    elif isinstance(spec, TextField):
        config["maxWords"] = spec.max_words
    elif isinstance(spec, ListField):
        config["itemLabel"] = spec.item_label
        config["items"] = {item.id: _field_config(item) for item in spec.item_fields}
        config["order"] = [item.id for item in spec.item_fields]
        config["maxItems"] = spec.max_items
    return config


def script_config(
    submission: Submission, steps: Sequence[Step], *, step: Step, stored_ratings: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What static/js/submission.js needs: where to save, the page's fields with their saved values, and
    where each field of the definition lives (to link completeness findings)."""
    definition = submission.version.spec
    draft = submission.draft
    sid = submission.pk
    targets: dict[str, Any] = {}
    for part in definition.parts:
        part_step = step_of(steps, part.id)
        assert part_step is not None
        for spec in part.fields:
            ref = f"{part.id}.{spec.id}"
            targets[ref] = {"label": spec.label, "step": part.id}
            if isinstance(spec, ListField):
                for item in spec.item_fields:
                    targets[f"{ref}.{item.id}"] = {"label": item.label, "step": part.id, "itemLabel": spec.item_label}
    config: dict[str, Any] = {
        "submission": sid,
        "revision": draft.revision,
        "step": step.key,
        "storageKey": f"microcred:draft:{sid}",
        "urls": {
            "responses": reverse("api-v1:submission_responses", args=[sid]),
            "submission": reverse("api-v1:submission_detail", args=[sid]),
            "check": reverse("api-v1:submission_check", args=[sid]),
            "evidence": reverse("api-v1:submission_evidence_add", args=[sid]),
            "evidenceRemove": reverse("api-v1:submission_evidence_remove", args=[sid, 987654321]),
            "download": reverse("submissions:evidence", args=[987654321]),
        },
        "steps": [{"key": s.key, "number": s.number, "title": s.title, "url": s.url} for s in steps],
        "targets": targets,
        "criteria": {c.id: c.title for c in definition.rubric.criteria},
        "fields": {},
        "saved": {},
        "ratings": {},
    }
    if step.part is not None:
        for spec in step.part.fields:
            ref = f"{step.part.id}.{spec.id}"
            config["fields"][ref] = _field_config(spec)
            if not isinstance(spec, FileField):
                config["saved"][ref] = draft.responses.get(step.part.id, {}).get(spec.id)
    if step.key == SELF_EVALUATION:
        config["ratings"] = dict(stored_ratings or draft.self_evaluation)
        config["levels"] = {level.id: level.label for level in definition.rubric.levels}
        config["justificationMaxWords"] = definition.self_evaluation.justification_max_words
    return config
