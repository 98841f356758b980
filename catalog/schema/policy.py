"""The review policy: the panel's seats, adjudication, timings, attempts and calibration."""

from __future__ import annotations

from typing import Annotated, Literal

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from catalog.schema.base import Markdown, SchemaProblem, Strict, _require_unique


class Seat(Strict):
    # Who may sit: a reviewer to whom the credential's issuer has given this role (accounts.ReviewerRole);
    # `any` takes a reviewer holding any role at that issuer.
    kind: Literal["issuer_staff", "mentor", "lead_assessor", "any"]
    count: Annotated[int, Field(ge=1, le=10)]
    match_grade_band: bool = False
    title: str | None = None  # how the page names this seat, e.g. "Classkick Mentor"


class Adjudication(Strict):
    when: Literal["disagreement_on_pass"] = "disagreement_on_pass"
    seat: Seat
    rule: Literal["lead_decides"] = "lead_decides"


class RecalibrateWhen(Strict):
    """When a reviewer is flagged to go back through calibration, judged from their decided reviews.

    A reviewer's severity is the mean signed distance, in rubric levels, of their level on each criterion
    from the panel's consensus on it (the median of the other panel members' levels on the same attempt):
    below zero they score lower than their panel, above zero higher. They are flagged once at least
    `min_reviews` of their reviews have been compared and their severity is further from zero than
    `severity_beyond` (either way). Sending a flagged reviewer back (their issuer's admin, or
    `manage.py reviews_recalibrate_flagged`) voids their calibration for the credential until they pass it
    again; reviews submitted before that no longer count towards a new flag."""

    severity_beyond: Annotated[float, Field(gt=0, le=10)]
    min_reviews: Annotated[int, Field(ge=1, le=10_000)] = 10


class Calibration(Strict):
    required: bool = True
    agreement: Annotated[float, Field(gt=0, le=1)] = 0.8
    # None: nobody is flagged for recalibration, whatever their severity (the reliability page still shows it).
    recalibrate_when: RecalibrateWhen | None = None


class Appeals(Strict):
    """An educator's request for a fresh look at a "not yet earned" decision. Absent from a policy: no appeals.

    The request is open for `window_days` after the decision; one fresh reviewer, who never held a seat on
    the attempt's panel, re-scores it as `reviewer_kind` (as a Seat's kind), and their levels on the criteria
    the educator contests decide whether the decision becomes earned."""

    window_days: Annotated[int, Field(ge=1, le=365)] = 14
    reviewer_kind: Literal["issuer_staff", "mentor", "lead_assessor", "any"] = "any"


# The rules of a review policy that `draft_fields` may mark one by one as written by the platform.
PolicyRule = Literal[
    "seats",
    "blind",
    "pass_rule",
    "adjudication",
    "due_days",
    "reminder_days_before",
    "grace_days",
    "attempt_limit",
    "calibration",
    "feedback",
    "appeals",
]


class ReviewPolicy(Strict):
    description: Markdown | None = None
    seats: Annotated[list[Seat], Field(min_length=1)]
    blind: bool = True
    pass_rule: Literal["all_reviewers_all_criteria", "all_criteria_adjudicated", "median", "majority"]
    adjudication: Adjudication | None = None
    due_days: Annotated[int, Field(ge=1, le=90)] = 14
    reminder_days_before: Annotated[int, Field(ge=0, le=30)] = 3
    grace_days: Annotated[int, Field(ge=0, le=30)] = 3
    attempt_limit: Annotated[int, Field(ge=1, le=20)] = 3
    calibration: Calibration = Calibration()
    feedback: Markdown | None = None
    appeals: Appeals | None = None  # None: a "not yet earned" decision cannot be appealed
    draft: bool = False  # the whole policy is the platform's
    # The rules the platform wrote where the rest of the policy is the program's own (e.g. timings the
    # program never set); the page marks each of them as a draft.
    draft_fields: list[PolicyRule] = []

    @model_validator(mode="after")
    def _adjudication_fits_rule(self) -> ReviewPolicy:
        _require_unique(self.draft_fields, "draft_fields entry", at=("draft_fields",), key=None)
        if self.pass_rule == "all_criteria_adjudicated" and self.adjudication is None:
            raise SchemaProblem(
                _("pass_rule all_criteria_adjudicated needs an adjudication seat; add one or choose another pass_rule"),
                at=("adjudication",),
            )
        return self

    @property
    def panel_size(self) -> int:
        return sum(seat.count for seat in self.seats)

    def all_seats(self) -> list[Seat]:
        """The panel's seats and, when there is one, the adjudicator's."""
        return [*self.seats, *([self.adjudication.seat] if self.adjudication else [])]
