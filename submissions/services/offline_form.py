"""Filling a draft from a filled submission form (a DOCX), through the draft's own autosave service.

The rule: the form fills only answers the draft does not have yet. An answer the draft already holds is
never replaced: when the form says something else there, the form's text is reported (and shown back to
the educator) as not placed, so nothing typed offline is lost and nothing saved online is overwritten.
Every answer the form holds ends up in the report, placed or not, naming its question.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from catalog.definition_text import definition_shown
from catalog.models import CredentialVersion
from catalog.offline_form import (
    CHOSEN_MARKS,
    EMPTY_BOX,
    SELF_EVALUATION,
    FormItem,
    form_items,
    form_options_every_language,
    form_parts,
)
from catalog.offline_form_docx import submission_form_texts
from catalog.schema import (
    ChecklistField,
    ChoiceField,
    DateField,
    LinkField,
    ListField,
    Option,
    ShortTextField,
    TextField,
)
from core.errors import InvalidInput
from submissions.models import Draft, Submission
from submissions.offline_form import FORM_FIELD, RawAnswer, offline_form_read
from submissions.services.drafts import draft_save
from submissions.values import FieldErrors, clean_change, clean_self_evaluation, is_filled, word_count

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")
SEP = " \u203a "  # a single right-pointing angle quote between the steps of a question's place


def _kept() -> str:
    return _(
        "Your draft already has a different answer here, and an answer already in your draft is never replaced. "
        "Copy the form's answer in on the platform if you want it instead."
    )


@dataclass(frozen=True)
class FormOutcome:
    where: str  # the question as the educator knows it: "Part 2. Artifacts > Planning log > entry 2 > Date"
    ref: str
    text: str  # what the form said, shortened
    message: str = ""


@dataclass
class FormReport:
    placed: list[FormOutcome] = field(default_factory=list)
    unchanged: list[FormOutcome] = field(default_factory=list)  # already in the draft, word for word
    not_placed: list[FormOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    revision: int = 0


def _short(value: Any) -> str:
    if isinstance(value, list):
        value = "; ".join(_short(v) for v in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{k}: {_short(v)}" for k, v in value.items() if k != "id")
    return textwrap.shorten(str(value), 120, placeholder=" …")


def _norm(text: str) -> str:
    return " ".join(text.replace("“", "").replace("”", "").replace('"', "").split()).strip(" .;:").casefold()


def _option_id(text: str, options: Sequence[Option]) -> str | None:
    wanted = _norm(text)
    for number, option in enumerate(options, start=1):
        if wanted in (_norm(option.label), option.id.casefold(), str(number)):
            return option.id
    return None


def _marked(line: str) -> tuple[bool | None, str]:
    """(True, label) for a line marked as chosen, (False, label) for one still showing the empty box, and
    (None, line) for a line without either (a label typed or left on its own counts as chosen)."""
    rest, state = line.strip(), None
    for _attempt in range(2):  # "X ☐ Primary", "☐ X Primary" and "☒ Primary" all say the same
        if rest.startswith(EMPTY_BOX):
            rest, state = rest[1:].strip(), state or False
            continue
        mark = next((m for m in CHOSEN_MARKS if rest.startswith(m)), None)
        if mark is None:
            break
        rest, state = rest[len(mark) :].strip(), True
    return state, rest


def _choices(lines: list[str], options: Sequence[Option], *, multiple: bool) -> tuple[list[str], list[str]]:
    """The option ids chosen, and the problems: text matching no option, or several marks for one choice."""
    chosen: list[str] = []
    problems: list[str] = []
    for line in lines:
        state, label = _marked(line)
        if state is False or not label:
            continue
        for part in re.split(r"\s*;\s*", label) if multiple else [label]:
            option = _option_id(part, options)
            if option is None:
                # One label per option: the options come in every language, the reader's own first.
                first: dict[str, str] = {}
                for known in options:
                    first.setdefault(known.id, known.label)
                labels = "; ".join(first.values())
                problems.append(
                    _("“%(text)s” is not one of the options (%(options)s)") % {"text": _short(part), "options": labels}
                )
            elif option not in chosen:
                chosen.append(option)
    if not multiple and len(chosen) > 1:
        names = ", ".join(next(o.label for o in options if o.id == c) for c in chosen)
        problems.append(_("more than one option is marked (%(options)s); mark only one") % {"options": names})
    return chosen, problems


def _date(text: str) -> str | None:
    cleaned = " ".join(re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.replace(",", " ")).split())
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def _convert(spec: Any, lines: list[str], options: Sequence[Option] = ()) -> tuple[Any, list[str]]:
    """The value a field's lines stand for (before the draft's own cleaning), and what could not be read.
    `options`: a choice's options as the form prints them in every language (else the definition's own)."""
    lines = [line for line in lines if line.strip()]
    if not lines:
        return None, []
    if isinstance(spec, TextField):
        return "\n".join(lines) if spec.multiline else " ".join(lines), []
    if isinstance(spec, ChoiceField | ChecklistField):
        options = options or (spec.items if isinstance(spec, ChecklistField) else spec.options)
        multiple = isinstance(spec, ChecklistField) or spec.multiple
        chosen, problems = _choices(lines, options, multiple=multiple)
        if problems:
            return None, problems
        return (chosen if multiple else (chosen[0] if chosen else None)), []
    if isinstance(spec, DateField):
        value = _date(" ".join(lines))
        if value is None:
            text = _short(" ".join(lines))
            return None, [_("could not read “%(text)s” as a date; write it as YYYY-MM-DD") % {"text": text}]
        return value, []
    if isinstance(spec, ShortTextField):
        return (lines if spec.multiple else " ".join(lines)), []
    if isinstance(spec, LinkField):
        return [token for line in lines for token in line.split()], []
    return None, [_("this kind of question cannot be answered in the form")]


class _Placer:
    def __init__(self, submission: Submission, draft: Draft) -> None:
        self.definition = submission.version.spec
        self.draft = draft
        self.items = form_items(self.definition)
        self.options = form_options_every_language(self.definition)
        self.where = {
            item.ref: f"{part.title}{SEP}{item.label}" for part in form_parts(self.definition) for item in part.items
        }
        self.report = FormReport()
        self.changes: dict[str, Any] = {}
        self.ratings: dict[str, Any] = {}

    def refuse(self, where: str, ref: str, text: Any, message: str) -> None:
        self.report.not_placed.append(FormOutcome(where, ref, _short(text), message))

    def offer(self, ref: str, value: Any, shown: Any) -> None:
        """Check the value as the draft would, then place it unless the draft already has an answer there."""
        where = self.where[ref]
        try:
            cleaned = clean_change(self.definition, ref, value)
        except FieldErrors as problem:
            self.refuse(where, ref, shown, "; ".join(e.message for e in problem.errors))
            return
        if cleaned is None:
            return
        current = self.draft.value(ref)
        if is_filled(current):
            if _same_entries(current, cleaned):
                self.report.unchanged.append(FormOutcome(where, ref, _short(shown), _("already in your draft")))
            else:
                self.refuse(where, ref, shown, _kept())
            return
        self.changes[ref] = cleaned
        self.report.placed.append(
            FormOutcome(where, ref, _short(shown), _limit_note(self.definition.field_at(ref), cleaned))
        )

    def field(self, item: FormItem, raw: RawAnswer) -> None:
        spec = self.definition.field_at(item.ref)
        if item.answer == "file":
            if raw.all_lines():
                self.refuse(self.where[item.ref], item.ref, " ".join(raw.all_lines()), item.instruction)
            return
        if item.answer == "list":
            self.entries(item, raw)
            return
        value, problems = _convert(spec, raw.all_lines(), self.options.get(item.ref, ()))
        if problems:
            # Of a box of options, what the educator wrote or marked; the options left as printed say nothing.
            shown = [line for line in raw.all_lines() if _marked(line)[0] is not False]
            self.refuse(self.where[item.ref], item.ref, " ".join(shown), "; ".join(problems))
        elif value is not None:
            self.offer(item.ref, value, value)

    def entries(self, item: FormItem, raw: RawAnswer) -> None:
        columns = {column.ref: column for column in item.columns}
        entries: list[dict[str, Any]] = []
        for number, row in enumerate(raw.rows, start=1):
            entry: dict[str, Any] = {}
            for column_ref, text in row.items():
                column = columns.get(column_ref)
                where = f"{self.where[item.ref]}{SEP}{_entry(number)}{SEP}{column.label if column else column_ref}"
                if column is None:
                    message = _("this column is not part of the list in your draft's form")
                    self.refuse(where, column_ref, text, message)
                    continue
                value, problems = _convert(column.spec, text.splitlines(), self.options.get(column_ref, ()))
                if not problems and value is not None:
                    try:
                        clean_change(self.definition, item.ref, [{column.spec.id: value}])
                    except FieldErrors as problem:
                        problems = [e.message for e in problem.errors]
                if problems:
                    message = _("%(problems)s; the rest of the entry is placed") % {"problems": "; ".join(problems)}
                    self.refuse(where, column_ref, text, message)
                elif value is not None:
                    entry[column.spec.id] = value
            if entry:
                entries.append(entry)
        spec = self.definition.field_at(item.ref)
        limit = spec.max_items if isinstance(spec, ListField) else len(entries)
        for number, extra in enumerate(entries[limit:], start=limit + 1):
            message = _("the list holds at most %(limit)s entries, so this one was not placed") % {"limit": limit}
            self.refuse(f"{self.where[item.ref]}{SEP}{_entry(number)}", item.ref, extra, message)
        entries = entries[:limit]
        if entries:
            self.offer(
                item.ref,
                entries,
                ngettext("%(count)s entry: %(entries)s", "%(count)s entries: %(entries)s", len(entries))
                % {"count": len(entries), "entries": _short(entries)},
            )

    def rating(self, criterion_id: str, level: list[str], why: list[str]) -> None:
        ref = f"{SELF_EVALUATION}.{criterion_id}"
        item = self.items.get(ref)
        if item is None or not self.definition.self_evaluation.enabled:
            self.refuse(ref, ref, " ".join([*level, *why]), _("your draft's form has no such self-evaluation"))
            return
        where = f"{_('Self-evaluation')}{SEP}{item.label}"
        rating: dict[str, str] = {}
        levels = self.options.get(ref) or item.options
        chosen, problems = _choices([line for line in level if line.strip()], levels, multiple=False)
        if problems:
            marked = [line for line in level if _marked(line)[0] is not False]
            self.refuse(f"{where}{SEP}{_('your level')}", ref, " ".join(marked), "; ".join(problems))
        elif chosen:
            rating["level"] = chosen[0]
        justification = "\n".join(line for line in why if line.strip())
        if justification:
            rating["justification"] = justification
        if not rating:
            return
        try:
            cleaned = clean_self_evaluation(self.definition, criterion_id, rating)
        except FieldErrors as problem:
            self.refuse(where, ref, rating, "; ".join(e.message for e in problem.errors))
            return
        current = dict(self.draft.self_evaluation.get(criterion_id) or {})
        merged = {**(cleaned or {}), **current}
        for key, label in (("level", _("your level")), ("justification", _("why you chose it"))):
            if key in current and cleaned and key in cleaned and cleaned[key] != current[key]:
                self.refuse(f"{where}{SEP}{label}", ref, cleaned[key], _kept())
        if merged != current:
            self.ratings[criterion_id] = merged
            self.report.placed.append(FormOutcome(where, ref, _short(cleaned), ""))
        elif cleaned and all(current.get(k) == v for k, v in cleaned.items()):
            self.report.unchanged.append(FormOutcome(where, ref, _short(cleaned), _("already in your draft")))


def _entry(number: int) -> str:
    return _("entry %(number)s") % {"number": number}


def _same_entries(current: Any, new: Any) -> bool:
    def strip(entries: Any) -> Any:
        if not isinstance(entries, list):
            return entries
        return [{k: v for k, v in e.items() if k != "id"} if isinstance(e, dict) else e for e in entries]

    return bool(strip(current) == strip(new))


def _limit_note(spec: Any, value: Any) -> str:
    """Placed, as autosave places it, but said at once: a text outside its word limits."""
    if not isinstance(spec, TextField) or not isinstance(value, str):
        return ""
    count = word_count(value)
    words = ngettext("%(count)s word", "%(count)s words", count) % {"count": count}
    if spec.max_words is not None and count > spec.max_words:
        return _("placed, but it has %(words)s, over the limit of %(max)s: shorten it before you submit") % {
            "words": words,
            "max": spec.max_words,
        }
    if spec.min_words is not None and count < spec.min_words:
        return _("placed, but it has %(words)s, fewer than the %(min)s asked for") % {
            "words": words,
            "min": spec.min_words,
        }
    return ""


def _error_owner(field_name: str, pending: dict[str, Any]) -> str | None:
    return next((ref for ref in pending if field_name == ref or field_name.startswith(ref + ".")), None)


def _printed_texts(slug: str, content_hash: str) -> set[str] | None:
    version = CredentialVersion.objects.filter(credential__slug=slug, content_hash=content_hash).first()
    if version is None:
        return None
    return set(_printed_texts_of(slug, content_hash, version.number, settings.SITE_URL))


@functools.lru_cache(maxsize=32)
def _printed_texts_of(slug: str, content_hash: str, number: int, site_url: str) -> frozenset[str]:
    # What a form prints follows from the credential and its definition (slug and hash), the version's number and
    # the site's address alone, so it is the same in every process and for every version row with the same four:
    # the key holds everything the printed words depend on besides the code.
    version = CredentialVersion.objects.filter(credential__slug=slug, content_hash=content_hash, number=number)
    return frozenset(submission_form_texts(version.select_related("credential").get()))


def offline_form_apply(*, submission: Submission, actor: User, data: bytes) -> FormReport:
    """Fill the draft's empty answers from a filled form; report every answer placed, kept or not placed."""
    form = offline_form_read(data, known_for=_printed_texts)
    definition = submission.version.spec
    if form.slug != submission.credential.slug:
        raise InvalidInput.on(
            FORM_FIELD,
            _(
                "This is the form of another credential (%(slug)s), not of %(title)s. Download the form from this "
                "draft's page, fill it in and upload that one."
            )
            % {"slug": form.slug, "title": definition_shown(definition).title},
        )
    draft = Draft.objects.get(pk=submission.pk)
    placer = _Placer(submission, draft)
    report = placer.report
    if form.content_hash != submission.version.content_hash:
        report.notes.append(
            _(
                "This form was made for another version of the credential than your draft's; its answers were "
                "matched question by question, and any question your draft's version does not have is listed below."
            )
        )
    ratings: dict[str, tuple[list[str], list[str]]] = {}
    for ref, raw in form.answers.items():
        bits = ref.split(".")
        if bits[0] == SELF_EVALUATION and len(bits) in (2, 3):
            level, why = ratings.setdefault(bits[1], ([], []))
            (level if bits[-1] == "level" else why).extend(raw.lines if len(bits) == 3 else raw.under_heading)
            continue
        item = placer.items.get(ref)
        if item is None or item.answer == "rating":
            if raw.all_lines() or raw.rows:
                shown = raw.all_lines() or raw.rows
                where = _("A question not in your draft's form (%(ref)s)") % {"ref": ref}
                placer.refuse(
                    where, ref, shown, _("your draft's form has no such question: this answer has nowhere to go")
                )
            continue
        placer.field(item, raw)
    for criterion_id, (level, why) in ratings.items():
        placer.rating(criterion_id, level, why)
    for text in form.stray:
        placer.refuse(
            _("Outside any answer space"),
            "",
            text,
            _(
                "text outside the answer spaces is not placed; copy it into its answer on the platform if it belongs "
                "there"
            ),
        )
    report.revision = draft.revision
    _save(submission, actor, placer, draft.revision)
    return report


def _drop_cell(placer: _Placer, ref: str, field_name: str, entry: int | None, message: str) -> bool:
    """Take one refused value out of one list entry, keeping the rest of the list; False when it is not that."""
    entries = placer.changes.get(ref)
    item_id = field_name[len(ref) + 1 :]
    if not entry or not item_id or not isinstance(entries, list) or not 1 <= entry <= len(entries):
        return False
    if item_id not in entries[entry - 1]:
        return False
    value = entries[entry - 1].pop(item_id)
    label = definition_shown(placer.definition).field_at(field_name).label
    placer.refuse(f"{placer.where[ref]}{SEP}{_entry(entry)}{SEP}{label}", field_name, value, message)
    return True


def _save(submission: Submission, actor: User, placer: _Placer, revision: int) -> None:
    """Save what can be placed; a value the save itself refuses (a rule draft_save adds beyond cleaning) moves
    from placed to not placed with its message, and the rest is saved again."""
    report = placer.report
    while placer.changes or placer.ratings:
        try:
            saved = draft_save(
                submission=submission,
                actor=actor,
                base_revision=revision,
                changes=placer.changes,
                self_evaluation=placer.ratings,
            )
        except InvalidInput as refusal:
            moved = False
            for error in refusal.errors:
                ref = _error_owner(error.field, placer.changes)
                criterion = error.field.removeprefix(SELF_EVALUATION + ".")
                if ref is not None and _drop_cell(placer, ref, error.field, error.entry, error.message):
                    moved = True
                    continue
                if ref is not None:
                    placer.changes.pop(ref)
                elif criterion in placer.ratings:
                    ref = f"{SELF_EVALUATION}.{criterion}"
                    placer.ratings.pop(criterion)
                else:
                    continue
                moved = True
                for outcome in [o for o in report.placed if o.ref == ref]:
                    report.placed.remove(outcome)
                    entry = f" ({_entry(error.entry)})" if error.entry else ""
                    report.not_placed.append(FormOutcome(outcome.where, ref, outcome.text, error.message + entry))
            if not moved:
                raise
            continue
        report.revision = saved.revision
        return
