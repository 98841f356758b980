"""The completeness check: what must be true of a draft before it can be submitted.

The same function runs when the educator asks, on every submit, and (later) wherever reviewers need to
know what the educator was told. It knows no program: the built-in rules follow from the field
definitions (required, word limits, checklists, list sizes, evidence, self-evaluation) and the rest
are the definition's declarative `checks`.

A date field marked `not_after: today` records something that has happened: a date after today is
refused when saved (submissions.values) and, should one be stored anyway, is a blocking finding here.

A part marked `optional` is only checked once anything in it is filled in, and so is every rule that
reads a field in it. `written_within` is always advisory: when a text was first written cannot be
changed any more, so it must never be able to block a submission.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from django.utils import timezone

from catalog.schema import (
    ChecklistField,
    ChoiceField,
    CredentialDefinition,
    DateField,
    DatesBeforeCheck,
    EachOfCheck,
    FileField,
    ItemField,
    LinkField,
    ListField,
    OneOfCheck,
    Part,
    RecentCheck,
    SubmissionField,
    TextField,
)
from submissions.values import future_date_message, is_filled, latest_today, word_count

Severity = Literal["blocking", "advisory"]


@dataclass(frozen=True)
class Finding:
    """One thing to fix (blocking) or consider (advisory). `field` is the reference of the field to go to
    ("part.field" or "part.list.item"), `entry` the 1-based list entry, `criterion` the rubric element
    for self-evaluation findings."""

    check: str
    severity: Severity
    message: str
    field: str | None = None
    entry: int | None = None
    criterion: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DraftState:
    """Everything the check reads, so it can run on a draft or on an attempt's snapshot alike."""

    responses: dict[str, dict[str, Any]]
    self_evaluation: dict[str, dict[str, str]] = field(default_factory=dict)
    evidence_counts: dict[str, int] = field(default_factory=dict)
    first_written_at: dict[str, str] = field(default_factory=dict)

    def value(self, ref: str) -> Any:
        part_id, _, field_id = ref.partition(".")
        return self.responses.get(part_id, {}).get(field_id)

    def holds(self, ref: str) -> bool:
        return self.evidence_counts.get(ref, 0) > 0 or is_filled(self.value(ref))


def _active_parts(definition: CredentialDefinition, state: DraftState) -> set[str]:
    active = set()
    for part in definition.parts:
        if not part.optional or any(state.holds(f"{part.id}.{f.id}") for f in part.fields):
            active.add(part.id)
    return active


def _missing_message(spec: SubmissionField | ItemField) -> str:
    if isinstance(spec, TextField):
        return f"{spec.label}: write your answer."
    if isinstance(spec, ChoiceField):
        return f"{spec.label}: choose {'at least one option' if spec.multiple else 'an option'}."
    if isinstance(spec, ChecklistField):
        return f"{spec.label}: tick the items that apply."
    if isinstance(spec, DateField):
        return f"{spec.label}: enter the date."
    if isinstance(spec, LinkField):
        return f"{spec.label}: paste a link."
    if isinstance(spec, FileField):
        return f"{spec.label}: attach at least one file."
    if isinstance(spec, ListField):
        return f"{spec.label}: add at least one {spec.item_label.lower()}."
    return f"{spec.label}: fill this in."


def _simple_findings(
    spec: SubmissionField | ItemField,
    value: Any,
    *,
    ref: str,
    entry: int | None,
    filled: bool,
    in_list: str | None = None,
) -> list[Finding]:
    out: list[Finding] = []
    if not filled:
        if spec.required:
            out.append(Finding("required", "blocking", _missing_message(spec), ref, entry))
        return out
    where = f"{spec.label}" if entry is None else f"{spec.label} (entry {entry})"
    if isinstance(spec, DateField) and spec.not_after == "today" and isinstance(value, str):
        # Autosave refuses such a date; this catches one saved before the rule, or brought in another way.
        day = date.fromisoformat(value)
        if day > latest_today():
            named = spec.label if in_list is None else f"{in_list}, entry {entry}: {spec.label}"
            out.append(Finding("not_after", "blocking", future_date_message(spec, day, where=named) + ".", ref, entry))
    if isinstance(spec, TextField):
        count = word_count(value)
        if spec.max_words is not None and count > spec.max_words:
            out.append(
                Finding(
                    "max_words",
                    "blocking",
                    f"{where} has {count} words; shorten it to {spec.max_words} or fewer.",
                    ref,
                    entry,
                )
            )
        if spec.min_words is not None and count < spec.min_words:
            out.append(
                Finding(
                    "min_words", "blocking", f"{where} has {count} words; write at least {spec.min_words}.", ref, entry
                )
            )
    if isinstance(spec, ChecklistField) and spec.require_all:
        missing = [item.label for item in spec.items if item.id not in (value or [])]
        if missing:
            out.append(
                Finding(
                    "require_all",
                    "blocking",
                    f"{where}: every item is needed; still to confirm: {'; '.join(missing)}.",
                    ref,
                    entry,
                )
            )
    return out


def _field_findings(spec: SubmissionField, state: DraftState, ref: str) -> list[Finding]:
    if isinstance(spec, FileField):
        if spec.required and state.evidence_counts.get(ref, 0) == 0:
            return [Finding("required", "blocking", _missing_message(spec), ref)]
        return []
    value = state.value(ref)
    if not isinstance(spec, ListField):
        return _simple_findings(spec, value, ref=ref, entry=None, filled=is_filled(value))
    entries = [e for e in (value or []) if is_filled(e)]
    out: list[Finding] = []
    if not entries:
        if spec.required:
            out.append(Finding("required", "blocking", _missing_message(spec), ref))
            if spec.min_items > 1:
                return out
        else:
            return out
    if len(entries) < spec.min_items:
        more = spec.min_items - len(entries)
        out.append(
            Finding(
                "min_items",
                "blocking",
                f"{spec.label}: at least {spec.min_items} entries are needed and there "
                f"{'is' if len(entries) == 1 else 'are'} {len(entries)}; add {more} more.",
                ref,
            )
        )
    for position, entry in enumerate(value or [], start=1):
        if not is_filled(entry):
            continue
        for item in spec.item_fields:
            item_value = entry.get(item.id)
            out += _simple_findings(
                item,
                item_value,
                ref=f"{ref}.{item.id}",
                entry=position,
                filled=is_filled(item_value),
                in_list=spec.label,
            )
    return out


def _self_evaluation_findings(definition: CredentialDefinition, state: DraftState, active: set[str]) -> list[Finding]:
    settings = definition.self_evaluation
    if not settings.enabled:
        return []
    levels = {level.id: level.label for level in definition.rubric.levels}
    out: list[Finding] = []
    for criterion in definition.rubric.criteria:
        if criterion.part is not None and criterion.part not in active:
            continue  # judges an optional part the educator left empty
        rating = state.self_evaluation.get(criterion.id) or {}
        level = rating.get("level")
        justification = rating.get("justification") or ""
        if level not in levels:
            out.append(
                Finding(
                    "self_evaluation_level",
                    "blocking",
                    f"Self-evaluation, {criterion.title}: choose the level that describes your work.",
                    criterion=criterion.id,
                )
            )
        elif settings.justification == "required" and not justification.strip():
            out.append(
                Finding(
                    "self_evaluation_justification",
                    "blocking",
                    f"Self-evaluation, {criterion.title}: say briefly why you chose {levels[level]}.",
                    criterion=criterion.id,
                )
            )
        count = word_count(justification)
        if settings.justification != "none" and count > settings.justification_max_words:
            out.append(
                Finding(
                    "self_evaluation_words",
                    "blocking",
                    f"Self-evaluation, {criterion.title}: the justification has {count} words; shorten "
                    f"it to {settings.justification_max_words} or fewer.",
                    criterion=criterion.id,
                )
            )
    return out


def _part_of(ref: str) -> str:
    return ref.split(".", 1)[0]


def _dated(definition: CredentialDefinition, state: DraftState, ref: str) -> list[tuple[int | None, date]]:
    """The dates held by a date field ("part.field") or by a list's date item ("part.list.item")."""
    bits = ref.split(".")
    out: list[tuple[int | None, date]] = []
    if len(bits) == 2:
        value = state.value(ref)
        if isinstance(value, str):
            out.append((None, date.fromisoformat(value)))
        return out
    entries = state.value(f"{bits[0]}.{bits[1]}") or []
    for position, entry in enumerate(entries, start=1):
        value = entry.get(bits[2]) if isinstance(entry, dict) else None
        if isinstance(value, str):
            out.append((position, date.fromisoformat(value)))
    return out


def _declarative_findings(definition: CredentialDefinition, state: DraftState, active: set[str]) -> list[Finding]:
    out: list[Finding] = []
    for check in definition.checks:
        if isinstance(check, OneOfCheck):
            parts = {_part_of(ref) for ref in check.fields}
            if check.only_if_any:
                # Checked only once anything in the parts holding these fields is filled in: this is how an
                # optional reflection "in any form" is asked for without demanding one.
                started = any(
                    state.holds(f"{part.id}.{spec.id}")
                    for part in definition.parts
                    if part.id in parts
                    for spec in part.fields
                )
                if not started:
                    continue
            elif not parts <= active:
                continue
            if not any(state.holds(ref) for ref in check.fields):
                out.append(Finding(check.id, check.severity, check.message, check.fields[0]))
            continue
        refs = [check.field] + ([check.before] if isinstance(check, DatesBeforeCheck) else [])
        refs += [check.after] if isinstance(check, RecentCheck) else []
        if any(_part_of(ref) not in active for ref in refs):
            continue
        if isinstance(check, EachOfCheck):
            out += _each_of(definition, state, check)
        elif isinstance(check, DatesBeforeCheck):
            out += _dates_before(definition, state, check)
        elif isinstance(check, RecentCheck):
            out += _written_within(definition, state, check)
    return out


def _each_of(definition: CredentialDefinition, state: DraftState, check: EachOfCheck) -> list[Finding]:
    item = definition.field_at(f"{check.field}.{check.item}")
    assert isinstance(item, ChoiceField)  # the schema guarantees it
    labels = {o.id: o.label for o in item.options}
    counts = dict.fromkeys(check.values, 0)
    for entry in state.value(check.field) or []:
        chosen = entry.get(check.item) if isinstance(entry, dict) else None
        for value in chosen if isinstance(chosen, list) else [chosen]:
            if value in counts:
                counts[value] += 1
    short = [labels[v] for v, n in counts.items() if n < check.min]
    if not short:
        return []
    times = "" if check.min == 1 else f" ({check.min} of each)"
    return [Finding(check.id, check.severity, f"{check.message} Still needed{times}: {'; '.join(short)}.", check.field)]


def _dates_before(definition: CredentialDefinition, state: DraftState, check: DatesBeforeCheck) -> list[Finding]:
    limits = _dated(definition, state, check.before)
    dates = _dated(definition, state, check.field)
    if not limits or not dates:
        return []  # the required-field rules ask for the missing dates
    before = limits[0][1]
    if check.which == "earliest":
        dates = [min(dates, key=lambda pair: pair[1])]
    latest_allowed = before - timedelta(days=check.days)
    field_label = definition.field_at(check.field).label
    before_label = definition.field_at(check.before).label
    bits = check.field.split(".")
    list_label = definition.field_at(".".join(bits[:2])).label if len(bits) == 3 else None
    out = []
    for entry, value in dates:
        if value > latest_allowed:
            # Name the list as well as the item, so "Date" reads as "Planning log, entry 3: Date".
            where = f"{list_label}, entry {entry}: {field_label}" if list_label and entry else field_label
            out.append(
                Finding(
                    check.id,
                    check.severity,
                    f"{check.message} {where} is {value.isoformat()}; {before_label} is {before.isoformat()}.",
                    check.field,
                    entry,
                )
            )
    return out


def _written_within(definition: CredentialDefinition, state: DraftState, check: RecentCheck) -> list[Finding]:
    first = state.first_written_at.get(check.field)
    after = _dated(definition, state, check.after)
    if not first or not after:
        return []
    written = timezone.localdate(datetime.fromisoformat(first))
    if written <= after[0][1] + timedelta(days=check.days):
        return []
    return [
        Finding(check.id, "advisory", f"{check.message} It was first written on {written.isoformat()}.", check.field)
    ]


def findings_for(definition: CredentialDefinition, state: DraftState) -> list[Finding]:
    """Every finding for this state of a draft: built-in rules in form order, then the definition's checks."""
    active = _active_parts(definition, state)
    out: list[Finding] = []
    part: Part
    for part in definition.parts:
        if part.id not in active:
            continue
        for spec in part.fields:
            out += _field_findings(spec, state, f"{part.id}.{spec.id}")
    out += _self_evaluation_findings(definition, state, active)
    out += _declarative_findings(definition, state, active)
    return out


def is_blocked(findings: list[Finding]) -> bool:
    return any(f.severity == "blocking" for f in findings)
