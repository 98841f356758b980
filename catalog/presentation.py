"""How a credential definition reads to people: section headings and the plain words for schema values.

The detail page and the requirements PDF render from the same templates; both get their context
from `credential_page_context`, so the two can never say different things.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, pgettext_lazy

from catalog.definition_text import definition_shown
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

# Marked here, translated where they are shown (gettext at call time), so each page reads in its own language.
SECTION_TITLES: dict[str, str] = {
    "introduction": gettext_noop("Introduction"),
    "competency_statement": gettext_noop("Competency"),
    "graduate_credit": gettext_noop("Graduate credit"),
    "key_method": gettext_noop("Key method"),
    "method_components": gettext_noop("Method components"),
    "suggested_activities": gettext_noop("Suggested activities"),
    "standards": gettext_noop("Standards alignment"),
    "resources": gettext_noop("Research and resources"),
    "sample_materials": gettext_noop("Sample materials"),
    "submission": gettext_noop("Submission requirements"),
    "rubric": gettext_noop("Rubric: how your work is scored"),
    "self_evaluation": gettext_noop("Self-evaluation"),
    "review_policy": gettext_noop("How your submission is reviewed"),
    "notes": gettext_noop("Notes"),
    "license": gettext_noop("License"),
}

DRAFT_NOTE = gettext_noop("Draft wording from the platform, for the issuer to revise")

# The schema's own words for grade bands and file types (catalog/schema/base.py), marked for the catalogs.
_SCHEMA_WORDS = (
    gettext_noop("Primary"),
    gettext_noop("Intermediate"),
    gettext_noop("Middle school"),
    gettext_noop("High school"),
    gettext_noop("College"),
    gettext_noop("PDF document"),
    gettext_noop("Word document (.docx)"),
    gettext_noop("Excel workbook (.xlsx)"),
    gettext_noop("PowerPoint presentation (.pptx)"),
    gettext_noop("CSV spreadsheet"),
    gettext_noop("Plain text"),
    gettext_noop("Image (PNG, JPEG, GIF, WebP)"),
    gettext_noop("Audio (MP3, M4A, WAV, OGG)"),
)

_NUMBER_WORDS = [
    pgettext_lazy("a count in words", "no"),
    pgettext_lazy("a count in words", "one"),
    pgettext_lazy("a count in words", "two"),
    pgettext_lazy("a count in words", "three"),
    pgettext_lazy("a count in words", "four"),
    pgettext_lazy("a count in words", "five"),
    pgettext_lazy("a count in words", "six"),
    pgettext_lazy("a count in words", "seven"),
    pgettext_lazy("a count in words", "eight"),
    pgettext_lazy("a count in words", "nine"),
    pgettext_lazy("a count in words", "ten"),
]


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
    return [PageSection(key, _(SECTION_TITLES[key]), f"catalog/sections/{key}.html") for key in spec.page_order]


def rubric_groups(spec: CredentialDefinition) -> list[RubricGroup]:
    groups = [
        RubricGroup(part.id, part.title, spec.part_criteria(part.id))
        for part in spec.parts
        if spec.part_criteria(part.id)
    ]
    whole = [c for c in spec.rubric.criteria if c.part is None]
    if whole:
        groups.append(RubricGroup("whole-submission", _("The whole submission"), whole))
    return groups


def number_words(count: int) -> str:
    return str(_NUMBER_WORDS[count]) if 0 <= count < len(_NUMBER_WORDS) else str(count)


def plain_number(value: float) -> str:
    """1.0 -> "1", 1.5 -> "1.5": credits and sizes read as people write them (a decimal comma in Spanish)."""
    return number_format(f"{value:g}")


def money(value: float) -> str:
    if value == 0:
        return _("No fee")
    return "$" + number_format(value, 0 if value == int(value) else 2, force_grouping=True)


def or_list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("%(some)s or %(last)s") % {"some": ", ".join(words[:-1]), "last": words[-1]}


def and_list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("%(some)s and %(last)s") % {"some": ", ".join(words[:-1]), "last": words[-1]}


def grade_band_labels(bands: list[str]) -> list[str]:
    return [_(GRADE_BANDS[band]) if band in GRADE_BANDS else band for band in bands]


def passing_phrase(rubric: Rubric) -> str:
    """The passing levels as a reader says them, e.g. “Exemplary” or “Accomplished”."""
    labels = {level.id: level.label for level in rubric.levels}
    return or_list([f"“{labels[level_id]}”" for level_id in rubric.passing_levels()])


def field_kind_words(field: SubmissionField | ItemField) -> str:
    if isinstance(field, TextField):
        return _("Written response") if field.multiline else _("Written answer on one line")
    if isinstance(field, ChoiceField):
        return _("Choose one or more of the options") if field.multiple else _("Choose one of the options")
    if isinstance(field, ChecklistField):
        return _("Checklist: confirm every item") if field.require_all else _("Checklist: tick the items that apply")
    if isinstance(field, FileField):
        return _("File upload")
    if isinstance(field, LinkField):
        return {
            "any": _("Link to a web page or file"),
            "audio": _("Link to an audio recording"),
            "video": _("Link to a video"),
            "audio_or_video": _("Link to an audio or video recording"),
        }[field.media]
    if isinstance(field, ShortTextField):
        return _("Short answers, one or more") if field.multiple else _("Short answer")
    if isinstance(field, ListField):
        return _("A list of entries, each one a “%(item)s”") % {"item": field.item_label}
    return _("Date")


def field_limits(field: SubmissionField | ItemField) -> list[str]:
    """What the form will accept, in words: word limits, file types and sizes, counts."""
    limits: list[str] = []
    if isinstance(field, TextField):
        if field.min_words is not None and field.max_words is not None:
            limits.append(_("%(min)s to %(max)s words") % {"min": field.min_words, "max": field.max_words})
        elif field.max_words is not None:
            limits.append(_("Up to %(max)s words") % {"max": field.max_words})
        elif field.min_words is not None:
            limits.append(_("At least %(min)s words") % {"min": field.min_words})
    elif isinstance(field, FileField):
        limits.append(_("Accepted file types: ") + and_list([_(FILE_TYPES[kind]) for kind in field.accept]))
        files = _("one file") if field.max_files == 1 else _("up to %(count)s files") % {"count": field.max_files}
        limits.append(
            _("Up to %(size)s MB each, %(files)s") % {"size": plain_number(field.max_size_mb), "files": files}
        )
    elif isinstance(field, LinkField):
        limits.append(
            _("One link") if field.max_links == 1 else _("Up to %(count)s links") % {"count": field.max_links}
        )
    elif isinstance(field, ShortTextField):
        limits.append(_("Up to %(count)s characters") % {"count": field.max_length})
        if field.pattern_hint:
            limits.append(_("Format: %(hint)s") % {"hint": field.pattern_hint})
        elif field.pattern:
            limits.append(_("Format: must match the pattern %(pattern)s") % {"pattern": field.pattern})
    elif isinstance(field, DateField) and field.not_after == "today":
        limits.append(_("A date that has passed: today or earlier"))
    elif isinstance(field, ListField):
        if field.min_items:
            limits.append(
                _("At least %(min)s, at most %(max)s entries") % {"min": field.min_items, "max": field.max_items}
            )
        else:
            limits.append(_("Up to %(max)s entries") % {"max": field.max_items})
    return limits


def seat_who(seat: Seat, issuer_name: str) -> str:
    words = {"issuer": issuer_name}
    if seat.match_grade_band:
        return {
            "issuer_staff": _(
                "A member of the %(issuer)s team who works with the grade band you choose for your submission"
            ),
            "mentor": _("A trained mentor who works with the grade band you choose for your submission"),
            "lead_assessor": _(
                "A lead assessor named by %(issuer)s who works with the grade band you choose for your submission"
            ),
            "any": _(
                "A trained reviewer named by %(issuer)s who works with the grade band you choose for your submission"
            ),
        }[seat.kind] % words
    return {
        "issuer_staff": _("A member of the %(issuer)s team"),
        "mentor": _("A trained mentor"),
        "lead_assessor": _("A lead assessor named by %(issuer)s"),
        "any": _("A trained reviewer named by %(issuer)s"),
    }[seat.kind] % words


def seat_title(seat: Seat) -> str:
    if seat.title:
        return seat.title
    return {
        "issuer_staff": _("Issuer staff reviewer"),
        "mentor": _("Mentor"),
        "lead_assessor": _("Lead assessor"),
        "any": _("Reviewer"),
    }[seat.kind]


def pass_rule_words(policy: ReviewPolicy, rubric: Rubric, kind_label: str) -> str:
    panel = policy.panel_size
    words = {
        "phrase": passing_phrase(rubric),
        "reviewers": ngettext("%(number)s reviewer", "%(number)s reviewers", panel) % {"number": number_words(panel)},
        "what": kind_label.lower(),
    }
    if policy.pass_rule == "all_reviewers_all_criteria":
        if panel == 1:
            rule = _(
                "You earn this %(what)s when the reviewer rates every criterion %(phrase)s. If any criterion is rated "
                "lower by any reviewer, you do not earn it this time, and you get feedback on each criterion."
            )
        else:
            rule = _(
                "You earn this %(what)s when all %(reviewers)s rate every criterion %(phrase)s. If any criterion is "
                "rated lower by any reviewer, you do not earn it this time, and you get feedback on each criterion."
            )
        return rule % words
    if policy.pass_rule == "all_criteria_adjudicated":
        adjudicator = seat_title(policy.adjudication.seat) if policy.adjudication else _("a lead reviewer")
        return _(
            "You earn this %(what)s when every criterion is rated %(phrase)s. The %(reviewers)s score on their own; "
            "where they disagree on whether a criterion reaches that level, the %(adjudicator)s scores it and "
            "that decision counts."
        ) % {**words, "adjudicator": adjudicator}
    if policy.pass_rule == "median":
        return (
            _(
                "For each criterion, the middle rating (the median) of the %(reviewers)s counts. You earn this "
                "%(what)s when that middle rating is %(phrase)s on every criterion."
            )
            % words
        )
    return (
        _("You earn this %(what)s when, on every criterion, more than half of the %(reviewers)s rate it %(phrase)s.")
        % words
    )


def adjudication_words(policy: ReviewPolicy, issuer_name: str) -> str:
    """Who settles a disagreement; the adjudicated pass rule already says when, so then only who is said."""
    if policy.adjudication is None:
        return ""
    seat = policy.adjudication.seat
    who = seat_who(seat, issuer_name)
    who = who[0].lower() + who[1:]
    if policy.pass_rule == "all_criteria_adjudicated":
        return _("The %(seat)s is %(who)s.") % {"seat": seat_title(seat), "who": who}
    return _(
        "When reviewers disagree on whether a criterion passes, the %(seat)s (%(who)s) scores it, "
        "and that decision counts."
    ) % {"seat": seat_title(seat), "who": who}


def attempt_words(policy: ReviewPolicy) -> str:
    if policy.attempt_limit == 1:
        return _("You can submit once; there is no resubmission.")
    resubmissions = policy.attempt_limit - 1
    return ngettext(
        "You can submit up to %(times)s times in all: your first submission and %(count)s resubmission.",
        "You can submit up to %(times)s times in all: your first submission and %(count)s resubmissions.",
        resubmissions,
    ) % {"times": number_words(policy.attempt_limit), "count": number_words(resubmissions)}


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
    spec = definition_shown(published.spec)
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
        "draft_note": _(DRAFT_NOTE),
        "page_url": settings.SITE_URL + reverse("catalog:detail", args=[slug]),
        "pdf_url": reverse("catalog:requirements_pdf", args=[slug]),
    }
