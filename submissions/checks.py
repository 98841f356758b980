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
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
        part_id, _dot, field_id = ref.partition(".")
        return self.responses.get(part_id, {}).get(field_id)

    def holds(self, ref: str) -> bool:
        return self.evidence_counts.get(ref, 0) > 0 or is_filled(self.value(ref))


def _active_parts(definition: CredentialDefinition, state: DraftState) -> set[str]:
    active = set()
    for part in definition.parts:
        if not part.optional or any(state.holds(f"{part.id}.{f.id}") for f in part.fields):
            active.add(part.id)
    return active


# Public for the attestation findings (submissions.attestations), which read the same parts.
active_parts = _active_parts


def _missing_message(spec: SubmissionField | ItemField) -> str:
    words = {"label": spec.label}
    if isinstance(spec, TextField):
        return _("%(label)s: write your answer.") % words
    if isinstance(spec, ChoiceField):
        if spec.multiple:
            return _("%(label)s: choose at least one option.") % words
        return _("%(label)s: choose an option.") % words
    if isinstance(spec, ChecklistField):
        return _("%(label)s: tick the items that apply.") % words
    if isinstance(spec, DateField):
        return _("%(label)s: enter the date.") % words
    if isinstance(spec, LinkField):
        return _("%(label)s: paste a link.") % words
    if isinstance(spec, FileField):
        return _("%(label)s: attach at least one file.") % words
    if isinstance(spec, ListField):
        return _("%(label)s: add at least one %(item)s.") % {**words, "item": spec.item_label.lower()}
    return _("%(label)s: fill this in.") % words


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
    where = spec.label if entry is None else _("%(label)s (entry %(entry)s)") % {"label": spec.label, "entry": entry}
    if isinstance(spec, DateField) and spec.not_after == "today" and isinstance(value, str):
        # Autosave refuses such a date; this catches one saved before the rule, or brought in another way.
        day = date.fromisoformat(value)
        if day > latest_today():
            named = (
                spec.label
                if in_list is None
                else _("%(list)s, entry %(entry)s: %(label)s") % {"list": in_list, "entry": entry, "label": spec.label}
            )
            out.append(Finding("not_after", "blocking", future_date_message(spec, day, where=named) + ".", ref, entry))
    if isinstance(spec, TextField):
        count = word_count(value)
        if spec.max_words is not None and count > spec.max_words:
            out.append(
                Finding(
                    "max_words",
                    "blocking",
                    _("%(where)s has %(count)s words; shorten it to %(max)s or fewer.")
                    % {"where": where, "count": count, "max": spec.max_words},
                    ref,
                    entry,
                )
            )
        if spec.min_words is not None and count < spec.min_words:
            out.append(
                Finding(
                    "min_words",
                    "blocking",
                    _("%(where)s has %(count)s words; write at least %(min)s.")
                    % {"where": where, "count": count, "min": spec.min_words},
                    ref,
                    entry,
                )
            )
    if isinstance(spec, ChecklistField) and spec.require_all:
        missing = [item.label for item in spec.items if item.id not in (value or [])]
        if missing:
            out.append(
                Finding(
                    "require_all",
                    "blocking",
                    _("%(where)s: every item is needed; still to confirm: %(missing)s.")
                    % {"where": where, "missing": "; ".join(missing)},
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
                ngettext(
                    "%(label)s: at least %(min)s entries are needed and there is %(count)s; add %(more)s more.",
                    "%(label)s: at least %(min)s entries are needed and there are %(count)s; add %(more)s more.",
                    len(entries),
                )
                % {"label": spec.label, "min": spec.min_items, "count": len(entries), "more": more},
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
                    _("Self-evaluation, %(criterion)s: choose the level that describes your work.")
                    % {"criterion": criterion.title},
                    criterion=criterion.id,
                )
            )
        elif settings.justification == "required" and not justification.strip():
            out.append(
                Finding(
                    "self_evaluation_justification",
                    "blocking",
                    _("Self-evaluation, %(criterion)s: say briefly why you chose %(level)s.")
                    % {"criterion": criterion.title, "level": levels[level]},
                    criterion=criterion.id,
                )
            )
        count = word_count(justification)
        if settings.justification != "none" and count > settings.justification_max_words:
            out.append(
                Finding(
                    "self_evaluation_words",
                    "blocking",
                    _(
                        "Self-evaluation, %(criterion)s: the justification has %(count)s words; shorten it to "
                        "%(max)s or fewer."
                    )
                    % {"criterion": criterion.title, "count": count, "max": settings.justification_max_words},
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
    still = "; ".join(short)
    if check.min == 1:
        message = _("%(message)s Still needed: %(still)s.") % {"message": check.message, "still": still}
    else:
        message = _("%(message)s Still needed (%(min)s of each): %(still)s.") % {
            "message": check.message,
            "min": check.min,
            "still": still,
        }
    return [Finding(check.id, check.severity, message, check.field)]


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
            where = (
                _("%(list)s, entry %(entry)s: %(label)s") % {"list": list_label, "entry": entry, "label": field_label}
                if list_label and entry
                else field_label
            )
            out.append(
                Finding(
                    check.id,
                    check.severity,
                    _("%(message)s %(where)s is %(value)s; %(before_label)s is %(before)s.")
                    % {
                        "message": check.message,
                        "where": where,
                        "value": value.isoformat(),
                        "before_label": before_label,
                        "before": before.isoformat(),
                    },
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
        Finding(
            check.id,
            "advisory",
            _("%(message)s It was first written on %(day)s.") % {"message": check.message, "day": written.isoformat()},
            check.field,
        )
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
