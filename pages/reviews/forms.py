"""The reviewer and issuer-admin forms: what a posted page means, and where each problem is shown.

The rules themselves (which levels exist, when a comment is required, that a reason is given) live in the
services; these forms only read the post, give each field a label a person can act on, and send each
refusal back to the control it is about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from core.errors import FieldError
from reviews.models import DecisionOutcome
from reviews.selectors.admin_objects import ReviewerChoice

SCORE_PREFIX = "score."
LEVEL_PREFIX = "level."
COMMENT_KEYS = ("reasoning", "suggestion")
REASON_HELP = gettext_lazy("Kept in the audit log with your name and the time.")


# ----- scores ------------------------------------------------------------------------------------------


def score_id(criterion: str, key: str, level: str | None = None) -> str:
    """The id of a scoring control: a comment box, or one level's radio button."""
    return f"score-{criterion}-{key}" + (f"-{level}" if level else "")


def parse_scores(rubric: Mapping[str, Any], data: QueryDict) -> dict[str, dict[str, str]]:
    """The scores posted by the scoring page, per criterion: the level chosen ("" for none: without JavaScript
    the page posts every control, so an unchosen level is what the reviewer has now) and both comments."""
    out: dict[str, dict[str, str]] = {}
    for criterion in rubric["criteria"]:
        cid = criterion["id"]
        entry = {"level": data.get(f"{SCORE_PREFIX}{cid}.level", "")}
        for key in COMMENT_KEYS:
            name = f"{SCORE_PREFIX}{cid}.{key}"
            if name in data:
                entry[key] = data.get(name, "")
        out[cid] = entry
    return out


def parse_levels(rubric: Mapping[str, Any], data: QueryDict) -> dict[str, str]:
    """The levels posted by a calibration sample's page, per criterion ("" where none was chosen)."""
    return {c["id"]: data.get(f"{LEVEL_PREFIX}{c['id']}", "") for c in rubric["criteria"]}


@dataclass
class LevelChoice:
    id: str
    label: str
    descriptor: str
    html_id: str
    passes: bool
    checked: bool


@dataclass
class CriterionScore:
    """One criterion of the rubric with the reviewer's current score, as the scoring page draws it."""

    id: str
    title: str
    description: str
    part_title: str
    levels: list[LevelChoice]
    level: str
    reasoning: str
    suggestion: str
    below_passing: bool
    part: str | None = None
    disputed: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    self_evaluation: dict[str, Any] | None = None  # the candidate's own rating of this criterion, if any
    earlier: Any = None  # the feedback on this criterion from the previous attempt (a FeedbackCriterion)

    @property
    def level_errors(self) -> list[str]:
        return self.errors.get("level", [])

    @property
    def reasoning_errors(self) -> list[str]:
        return self.errors.get("reasoning", [])

    @property
    def suggestion_errors(self) -> list[str]:
        return self.errors.get("suggestion", [])

    @property
    def has_errors(self) -> bool:
        return any(self.errors.values())

    @property
    def level_label(self) -> str:
        return next((c.label for c in self.levels if c.id == self.level), "")


def criterion_scores(
    rubric: Mapping[str, Any],
    scores: Mapping[str, Mapping[str, str]],
    *,
    part_titles: Mapping[str, str],
    errors: Sequence[FieldError] = (),
    disputed: Iterable[str] = (),
    prefix: str = "score",
) -> list[CriterionScore]:
    """The rubric's criteria with the levels to choose from (each with its descriptor) and what is chosen."""
    passing = set(rubric["passing_levels"])
    by_field: dict[tuple[str, str], list[str]] = {}
    for error in errors:
        bits = error.field.split(".")
        if len(bits) >= 2 and bits[0] in ("scores", "levels"):
            by_field.setdefault((bits[1], bits[2] if len(bits) > 2 else "level"), []).append(_sentence(error.message))
    out = []
    disputed = set(disputed)
    for criterion in rubric["criteria"]:
        cid = criterion["id"]
        given = scores.get(cid, {})
        level = given.get("level", "") or ""
        out.append(
            CriterionScore(
                id=cid,
                title=criterion["title"],
                description=criterion.get("description", ""),
                part_title=part_titles.get(criterion.get("part") or "", str(gettext_lazy("The whole submission"))),
                levels=[
                    LevelChoice(
                        id=d["level"],
                        label=d["label"],
                        descriptor=d["text"],
                        html_id=f"{prefix}-{cid}-level-{d['level']}",
                        passes=d["level"] in passing,
                        checked=d["level"] == level,
                    )
                    for d in criterion["descriptors"]
                ],
                level=level,
                reasoning=given.get("reasoning", ""),
                suggestion=given.get("suggestion", ""),
                below_passing=bool(level) and level not in passing,
                part=criterion.get("part"),
                disputed=cid in disputed,
                errors={key: by_field.get((cid, key), []) for key in ("level", *COMMENT_KEYS)},
            )
        )
    return out


def error_links(
    errors: Sequence[FieldError], criteria: Sequence[CriterionScore], *, prefix: str = "score"
) -> list[dict[str, str]]:
    """The error summary's links, each to the control it is about; a missing level goes to the first level."""
    first_level = {c.id: c.levels[0].html_id for c in criteria if c.levels}
    titles = {c.id: c.title for c in criteria}
    out = []
    for error in errors:
        bits = error.field.split(".")
        if len(bits) >= 2 and bits[0] in ("scores", "levels") and bits[1] in titles:
            key = bits[2] if len(bits) > 2 else "level"
            anchor = first_level[bits[1]] if key == "level" else f"{prefix}-{bits[1]}-{key}"
            message = error.message
            if titles[bits[1]].casefold() not in message.casefold():
                message = f"{titles[bits[1]]}: {message}"
            out.append({"anchor": anchor, "message": _sentence(message)})
        else:
            out.append({"anchor": "main", "message": _sentence(error.message)})
    return out


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# ----- reasons -----------------------------------------------------------------------------------------


class _ReasonForm(forms.Form):
    reason_label: Any = gettext_lazy("Reason")
    reason_help: Any = REASON_HELP
    reason_required: Any = gettext_lazy("Give a reason")

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        reason.label = self.reason_label
        reason.help_text = self.reason_help
        reason.error_messages["required"] = self.reason_required
        reason.error_messages["max_length"] = gettext_lazy("Keep the reason under 5000 characters")

    def add_service_errors(self, errors: Sequence[FieldError]) -> None:
        """A refusal from the service, shown at the field it names (or above the form)."""
        for error in errors:
            name = error.field if error.field in self.fields else None
            self.add_error(name, _sentence(error.message))


class DeclineForm(_ReasonForm):
    reason_label = gettext_lazy("Why you decline this review")
    reason_help = gettext_lazy(
        "For example a conflict of interest, or no time before the due date. The seat goes to another reviewer; "
        "the candidate is not told who declined."
    )
    reason_required = gettext_lazy("Say why you decline this review")


class ExtraAttemptForm(_ReasonForm):
    reason_label = gettext_lazy("Why another attempt is granted")
    reason_required = gettext_lazy("Say why another attempt is granted")


class OverrideForm(_ReasonForm):
    reason_label = gettext_lazy("Why the decision is overridden")
    reason_help = format_lazy(
        "{} {}", gettext_lazy("The educator is told the new outcome and this reason."), REASON_HELP
    )
    reason_required = gettext_lazy("Say why the decision is overridden")

    outcome = forms.ChoiceField(
        label=gettext_lazy("New outcome"),
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the new outcome"),
            "invalid_choice": gettext_lazy("Choose Earned or Not yet earned"),
        },
    )

    field_order = ["outcome", "reason"]


AUTOMATIC = ""


class ReassignForm(_ReasonForm):
    reason_label = gettext_lazy("Why the review is moved")
    reason_help = format_lazy(
        "{} {}",
        gettext_lazy("The current reviewer is told their review was reassigned, with this reason."),
        REASON_HELP,
    )
    reason_required = gettext_lazy("Say why the review is moved to someone else")

    to_reviewer = forms.ChoiceField(
        label=gettext_lazy("New reviewer"),
        required=False,
        help_text=gettext_lazy(
            "Automatic gives the seat to the eligible reviewer with the fewest open reviews. A reviewer you choose "
            "must be eligible for this seat (calibrated, no conflict, within capacity)."
        ),
    )

    field_order = ["to_reviewer", "reason"]

    def __init__(self, *args: Any, reviewers: Sequence[ReviewerChoice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["to_reviewer"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(AUTOMATIC, gettext_lazy("Automatic: whoever the rules pick"))] + [
            (r.user.email, f"{r.user.name or r.user.email} ({r.roles})") for r in reviewers
        ]
        choice.error_messages["invalid_choice"] = gettext_lazy("Choose a reviewer from the list, or Automatic")
