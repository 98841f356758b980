"""Ways to fill a draft in tests, through the real services."""

from __future__ import annotations

import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet

from accounts.models import User
from catalog.schema import (
    ChecklistField,
    ChoiceField,
    CredentialDefinition,
    DateField,
    DatesBeforeCheck,
    EachOfCheck,
    FileField,
    LinkField,
    ListField,
    ShortTextField,
    TextField,
)
from core.audit import audit_trail
from core.models import AuditEvent
from submissions.models import Attempt, Draft, Evidence, Submission
from submissions.services import draft_save, evidence_add
from tests.submissions import files

DELIVERED = "2025-03-10"
PLANNED = ["2025-03-03", "2025-03-05", "2025-03-07"]


def words(n: int, word: str = "collaboration") -> str:
    return " ".join(f"{word}{i}" for i in range(n))


def portfolio_answers() -> dict[str, Any]:
    """A complete set of answers for the Practice Portfolio (tests/fixtures/submissions)."""
    return {
        "context.grade_band": "middle_school",
        "context.subjects": ["science"],
        "context.class_codes": ["AB12CD"],
        "context.school_name": "Lincoln High",
        "plan.lesson_plan": "Goal: understand fractions. Standards: 5.NF. Questions: why halves?",
        "plan.plan_elements": ["goal", "standards", "questions"],
        "plan.delivery_date": DELIVERED,
        "plan.interactions": [
            {"when": PLANNED[0], "kind": "peer", "with_whom": "Grade team", "ideas": "Use pizzas", "used": ["used"]},
            {"when": PLANNED[1], "kind": "mentor", "with_whom": "Maths coach", "ideas": "Exit tickets"},
            {
                "when": PLANNED[2],
                "kind": "network",
                "with_whom": "Online forum",
                "ideas": "Fraction walls",
                "link": "https://forum.example/t/1",
            },
        ],
        "plan.narrative": "I planned with my grade team, a coach and an online forum before teaching.",
        "plan.resources": ["https://example.org/fractions"],
    }


def portfolio_ratings() -> dict[str, Any]:
    return {
        "planning": {"level": "accomplished", "justification": "I planned with three people."},
        "overall": {"level": "accomplished", "justification": "Solid work overall."},
    }


def save(
    submission: Submission, actor: User, changes: dict[str, Any] | None = None, ratings: dict[str, Any] | None = None
) -> Draft:
    revision = Draft.objects.get(pk=submission.pk).revision
    return draft_save(
        submission=submission, actor=actor, base_revision=revision, changes=changes or {}, self_evaluation=ratings
    )


def upload(submission: Submission, actor: User, field: str, name: str, content: bytes) -> Evidence:
    return evidence_add(
        submission=submission,
        actor=actor,
        field_ref=field,
        upload=SimpleUploadedFile(name, content),
        student_data=False,
    )


def complete_portfolio(submission: Submission, actor: User) -> None:
    save(submission, actor, portfolio_answers(), portfolio_ratings())
    upload(submission, actor, "plan.lesson_files", "plan.pdf", files.pdf())


def history(submission: Submission, *, kind: str | None = None, attempt: Attempt | None = None) -> QuerySet[AuditEvent]:
    """The submission's events as the audit log holds them, oldest first; optionally one kind, or those
    about one attempt."""
    rows = audit_trail(subject=submission).filter(action__startswith="submission.")
    if kind is not None:
        rows = rows.filter(action=f"submission.{kind}")
    if attempt is not None:
        rows = rows.filter(data__attempt=attempt.pk)
    return rows


# ----- any definition -----------------------------------------------------------------------------


def _value_for(spec: Any, *, date: str) -> Any:
    if isinstance(spec, TextField):
        n = spec.max_words if spec.max_words is not None and spec.max_words < 40 else 40
        return words(max(n, spec.min_words or 0), spec.id)
    if isinstance(spec, ChoiceField):
        return [spec.options[0].id] if spec.multiple else spec.options[0].id
    if isinstance(spec, ChecklistField):
        return [item.id for item in spec.items]
    if isinstance(spec, DateField):
        return date
    if isinstance(spec, LinkField):
        return ["https://video.example/watch/1"]
    if isinstance(spec, ShortTextField):
        # A regular expression cannot be run backwards: try a few usual shapes until one fits.
        fitting = [
            c
            for c in ("Example", "24", "ABC123", "AB12CD")
            if len(c) <= spec.max_length and (spec.pattern is None or re.fullmatch(spec.pattern, c))
        ]
        assert fitting, f"no sample value fits {spec.id}"
        return fitting[:1] if spec.multiple else fitting[0]
    raise AssertionError(spec)


def answers_for(definition: CredentialDefinition) -> dict[str, Any]:
    """Answers to every required field of any definition, shaped to pass its declarative checks: top-level
    dates are the delivery day, list dates a week before it, and lists hold one entry per value a
    list_has_each check asks for."""
    needed: dict[str, tuple[str, list[str]]] = {
        check.field: (check.item, check.values) for check in definition.checks if isinstance(check, EachOfCheck)
    }
    days = max([c.days for c in definition.checks if isinstance(c, DatesBeforeCheck)] + [0])
    assert days < 7
    out: dict[str, Any] = {}
    for part in definition.parts:
        if part.optional:
            continue
        for spec in part.fields:
            ref = f"{part.id}.{spec.id}"
            if isinstance(spec, FileField) or not spec.required:
                continue
            if isinstance(spec, ListField):
                item_id, values = needed.get(ref, ("", []))
                count = max(spec.min_items, len(values), 1)
                entries = []
                for i in range(count):
                    entry = {f.id: _value_for(f, date=PLANNED[0]) for f in spec.item_fields if f.required}
                    if values:
                        entry[item_id] = values[i % len(values)]
                    entries.append(entry)
                out[ref] = entries
            else:
                out[ref] = _value_for(spec, date=DELIVERED)
    return out


def ratings_for(definition: CredentialDefinition) -> dict[str, Any]:
    if not definition.self_evaluation.enabled:
        return {}
    return {
        c.id: {"level": definition.rubric.passing_level, "justification": "Because the evidence shows it."}
        for c in definition.rubric.criteria
        if c.part is None or not next(p for p in definition.parts if p.id == c.part).optional
    }


def required_uploads(definition: CredentialDefinition) -> list[tuple[str, str, bytes]]:
    out = []
    for part in definition.parts:
        for spec in part.fields:
            if isinstance(spec, FileField) and spec.required and not part.optional:
                if "pdf" in spec.accept:
                    out.append((f"{part.id}.{spec.id}", "evidence.pdf", files.pdf()))
                elif "image" in spec.accept:
                    out.append((f"{part.id}.{spec.id}", "evidence.png", files.png()))
                else:
                    out.append((f"{part.id}.{spec.id}", "evidence.wav", files.wav()))
    return out
