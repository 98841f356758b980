"""How a credential definition reads to people: section headings and the plain words for schema values.

The detail page and the requirements PDF render from the same templates; both get their context
from `credential_page_context`, so the two can never say different things.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse

from catalog.retention import retention_words
from catalog.schema import (
    FILE_TYPES,
    GRADE_BANDS,
    ChecklistField,
    ChoiceField,
    CredentialDefinition,
    Criterion,
    DateField,
    FileField,
    ItemField,
    LinkField,
    ListField,
    ReviewPolicy,
    Rubric,
    Seat,
    ShortTextField,
    SubmissionField,
    TextField,
)
from catalog.selectors import PublishedCredential

SECTION_TITLES: dict[str, str] = {
    "introduction": "Introduction",
    "competency_statement": "Competency",
    "graduate_credit": "Graduate credit",
    "key_method": "Key method",
    "method_components": "Method components",
    "suggested_activities": "Suggested activities",
    "standards": "Standards alignment",
    "resources": "Research and resources",
    "sample_materials": "Sample materials",
    "submission": "Submission requirements",
    "rubric": "Rubric: how your work is scored",
    "self_evaluation": "Self-evaluation",
    "review_policy": "How your submission is reviewed",
    "notes": "Notes",
    "license": "License",
}

DRAFT_NOTE = "Draft wording from the platform, for the issuer to revise"

_NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


@dataclass(frozen=True)
class PageSection:
    key: str
    title: str
    template: str

    @property
    def anchor(self) -> str:
        return "section-" + self.key.replace("_", "-")


@dataclass(frozen=True)
class RubricGroup:
    """The criteria that judge one part (or, with no part, the whole submission), for one table each."""

    key: str
    title: str
    criteria: list[Criterion]


def page_sections(spec: CredentialDefinition) -> list[PageSection]:
    return [PageSection(key, SECTION_TITLES[key], f"catalog/sections/{key}.html") for key in spec.page_order]


def rubric_groups(spec: CredentialDefinition) -> list[RubricGroup]:
    groups = [
        RubricGroup(part.id, part.title, spec.part_criteria(part.id))
        for part in spec.parts
        if spec.part_criteria(part.id)
    ]
    whole = [c for c in spec.rubric.criteria if c.part is None]
    if whole:
        groups.append(RubricGroup("whole-submission", "The whole submission", whole))
    return groups


def number_words(count: int) -> str:
    return _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else str(count)


def plain_number(value: float) -> str:
    """1.0 -> "1", 1.5 -> "1.5": credits and sizes read as people write them."""
    return f"{value:g}"


def money(value: float) -> str:
    if value == 0:
        return "No fee"
    return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"


def or_list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def and_list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def grade_band_labels(bands: list[str]) -> list[str]:
    return [GRADE_BANDS.get(band, band) for band in bands]


def passing_phrase(rubric: Rubric) -> str:
    """The passing levels as a reader says them, e.g. “Exemplary” or “Accomplished”."""
    labels = {level.id: level.label for level in rubric.levels}
    return or_list([f"“{labels[level_id]}”" for level_id in rubric.passing_levels()])


def field_kind_words(field: SubmissionField | ItemField) -> str:
    if isinstance(field, TextField):
        return "Written response" if field.multiline else "Written answer on one line"
    if isinstance(field, ChoiceField):
        return "Choose one or more of the options" if field.multiple else "Choose one of the options"
    if isinstance(field, ChecklistField):
        return "Checklist: confirm every item" if field.require_all else "Checklist: tick the items that apply"
    if isinstance(field, FileField):
        return "File upload"
    if isinstance(field, LinkField):
        return {
            "any": "Link to a web page or file",
            "audio": "Link to an audio recording",
            "video": "Link to a video",
            "audio_or_video": "Link to an audio or video recording",
        }[field.media]
    if isinstance(field, ShortTextField):
        return "Short answers, one or more" if field.multiple else "Short answer"
    if isinstance(field, ListField):
        return f"A list of entries, each one a “{field.item_label}”"
    return "Date"


def field_limits(field: SubmissionField | ItemField) -> list[str]:
    """What the form will accept, in words: word limits, file types and sizes, counts."""
    limits: list[str] = []
    if isinstance(field, TextField):
        if field.min_words is not None and field.max_words is not None:
            limits.append(f"{field.min_words} to {field.max_words} words")
        elif field.max_words is not None:
            limits.append(f"Up to {field.max_words} words")
        elif field.min_words is not None:
            limits.append(f"At least {field.min_words} words")
    elif isinstance(field, FileField):
        limits.append("Accepted file types: " + and_list([FILE_TYPES[kind] for kind in field.accept]))
        files = "one file" if field.max_files == 1 else f"up to {field.max_files} files"
        limits.append(f"Up to {plain_number(field.max_size_mb)} MB each, {files}")
    elif isinstance(field, LinkField):
        limits.append("One link" if field.max_links == 1 else f"Up to {field.max_links} links")
    elif isinstance(field, ShortTextField):
        limits.append(f"Up to {field.max_length} characters")
        if field.pattern_hint:
            limits.append(f"Format: {field.pattern_hint}")
        elif field.pattern:
            limits.append(f"Format: must match the pattern {field.pattern}")
    elif isinstance(field, DateField) and field.not_after == "today":
        limits.append("A date that has passed: today or earlier")
    elif isinstance(field, ListField):
        if field.min_items:
            limits.append(f"At least {field.min_items}, at most {field.max_items} entries")
        else:
            limits.append(f"Up to {field.max_items} entries")
    return limits


def seat_who(seat: Seat, issuer_name: str) -> str:
    who = {
        "issuer_staff": f"A member of the {issuer_name} team",
        "mentor": "A trained mentor",
        "lead_assessor": f"A lead assessor named by {issuer_name}",
        "any": f"A trained reviewer named by {issuer_name}",
    }[seat.kind]
    if seat.match_grade_band:
        who += " who works with the grade band you choose for your submission"
    return who


def seat_title(seat: Seat) -> str:
    if seat.title:
        return seat.title
    return {
        "issuer_staff": "Issuer staff reviewer",
        "mentor": "Mentor",
        "lead_assessor": "Lead assessor",
        "any": "Reviewer",
    }[seat.kind]


def pass_rule_words(policy: ReviewPolicy, rubric: Rubric, kind_label: str) -> str:
    phrase = passing_phrase(rubric)
    panel = policy.panel_size
    reviewers = f"{number_words(panel)} reviewer" + ("s" if panel != 1 else "")
    what = kind_label.lower()
    if policy.pass_rule == "all_reviewers_all_criteria":
        every = "the reviewer" if panel == 1 else f"all {reviewers}"
        return (
            f"You earn this {what} when {every} rate{'s' if panel == 1 else ''} every criterion {phrase}. "
            "If any criterion is rated lower by any reviewer, you do not earn it this time, and you get "
            "feedback on each criterion."
        )
    if policy.pass_rule == "all_criteria_adjudicated":
        adjudicator = seat_title(policy.adjudication.seat) if policy.adjudication else "a lead reviewer"
        return (
            f"You earn this {what} when every criterion is rated {phrase}. The {reviewers} score on their own; "
            f"where they disagree on whether a criterion reaches that level, the {adjudicator} scores it and "
            "that decision counts."
        )
    if policy.pass_rule == "median":
        return (
            f"For each criterion, the middle rating (the median) of the {reviewers} counts. You earn this "
            f"{what} when that middle rating is {phrase} on every criterion."
        )
    return f"You earn this {what} when, on every criterion, more than half of the {reviewers} rate it {phrase}."


def adjudication_words(policy: ReviewPolicy, issuer_name: str) -> str:
    """Who settles a disagreement; the adjudicated pass rule already says when, so then only who is said."""
    if policy.adjudication is None:
        return ""
    seat = policy.adjudication.seat
    who = seat_who(seat, issuer_name)
    who = who[0].lower() + who[1:]
    if policy.pass_rule == "all_criteria_adjudicated":
        return f"The {seat_title(seat)} is {who}."
    return (
        f"When reviewers disagree on whether a criterion passes, the {seat_title(seat)} ({who}) scores it, "
        "and that decision counts."
    )


def attempt_words(policy: ReviewPolicy) -> str:
    if policy.attempt_limit == 1:
        return "You can submit once; there is no resubmission."
    resubmissions = policy.attempt_limit - 1
    return (
        f"You can submit up to {number_words(policy.attempt_limit)} times in all: your first submission and "
        f"{number_words(resubmissions)} resubmission{'s' if resubmissions != 1 else ''}."
    )


def policy_drafts(policy: ReviewPolicy) -> dict[str, bool]:
    """Which statements of the review section the platform wrote, rule by rule (`draft_fields`), so each
    carries the draft marker. A policy wholly the platform's (`draft: true`) is marked once, at its top."""
    drafted = set(policy.draft_fields)
    return {
        "seats": "seats" in drafted,
        "blind": "blind" in drafted,
        "pass_rule": "pass_rule" in drafted,
        "adjudication": "adjudication" in drafted and policy.adjudication is not None,
        "timings": bool(drafted & {"due_days", "reminder_days_before", "grace_days"}),
        "attempts": "attempt_limit" in drafted,
        "calibration": "calibration" in drafted,
        "feedback": "feedback" in drafted and policy.feedback is not None,
    }


def credential_page_context(published: PublishedCredential) -> dict[str, Any]:
    """Everything the detail page and the PDF show, computed once from the version's typed definition."""
    spec = published.spec
    slug = published.credential.slug
    return {
        "credential": published.credential,
        "version": published.version,
        "spec": spec,
        "sections": page_sections(spec),
        "rubric_groups": rubric_groups(spec),
        "passing_phrase": passing_phrase(spec.rubric),
        "passing_level_ids": spec.rubric.passing_levels(),
        "pass_rule_words": pass_rule_words(spec.review_policy, spec.rubric, spec.kind_label),
        "adjudication_words": adjudication_words(spec.review_policy, spec.issuer.name),
        "attempt_words": attempt_words(spec.review_policy),
        "retention_words": retention_words(spec),
        "policy_drafts": policy_drafts(spec.review_policy),
        "grade_band_labels": grade_band_labels(list(spec.grade_bands)),
        "draft_note": DRAFT_NOTE,
        "page_url": settings.SITE_URL + reverse("catalog:detail", args=[slug]),
        "pdf_url": reverse("catalog:requirements_pdf", args=[slug]),
    }
