"""An issuer's reviewer agreement at /api/v1/issuers/<issuer>/reliability: Krippendorff's alpha (ordinal), exact
and within-one-level agreement per rubric criterion, each reviewer's severity, its drift by month and the
recalibration flag, under the same filters as the page (credential, version, from, to) and from the same selector
(reviews/selectors/reliability.py); and sending a reviewer back through calibration, through the same service.
For the issuer's admins and platform admins; anyone else signed in gets 404, no session or token 401. A filter
the issuer cannot have is a 422 naming it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from annotated_types import Ge, Le
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from api.auth import request_user, session_or_token
from api.common import Id, Slug, errors
from reviews.selectors.reliability import (
    READINGS,
    Filters,
    Reliability,
    reliability_for_admin,
    reviewer_get_for_recalibration,
)
from reviews.services import reviewer_recalibrate

router = Router(auth=session_or_token)

VersionNumber = Annotated[int, Ge(1), Le(1_000_000)]


class ReliabilityQuery(Schema):
    model_config = ConfigDict(populate_by_name=True)

    credential: Slug | None = Field(
        None, description="One of the issuer's credentials, by slug; default: its first by title"
    )
    version: VersionNumber | None = Field(
        None, description="A version number of that credential; default: every version"
    )
    decided_from: date | None = Field(
        None, alias="from", description="Decisions made on or after this day (YYYY-MM-DD, in the site's time zone)"
    )
    to: date | None = Field(None, description="Decisions made on or before this day (YYYY-MM-DD, inclusive)")


class ReliabilityCriterionOut(Schema):
    id: str
    title: str
    alpha: float | None = Field(description="Krippendorff's alpha, ordinal metric; null where undefined (see reading)")
    reading: str = Field(description=f"One of: {', '.join(READINGS)}")
    reading_label: str
    reading_text: str
    units: int = Field(description="Attempts with at least two panel levels on this criterion")
    pairs: int = Field(description="Pairs of reviewers on the same attempt")
    exact: float | None = Field(description="Share of pairs at the same level, 0 to 1")
    adjacent: float | None = Field(description="Share of pairs within one level of each other (exact included)")


class DriftOut(Schema):
    period: str = Field(description="YYYY-MM, by when the reviews were submitted")
    severity: float
    scores: int


class ReliabilityReviewerOut(Schema):
    user_id: int
    name: str
    email: str
    reviews: int = Field(description="Reviews compared with a panel consensus")
    scores: int = Field(description="Criterion levels compared")
    severity: float | None = Field(
        description="Mean of (their level - the median of the other panel members' levels), in levels; "
        "below 0 they score lower than their panels"
    )
    drift: list[DriftOut]
    flag_reviews: int = Field(description="Reviews the flag is judged on: those since they were last sent back")
    flag_severity: float | None
    flagged: bool
    sent_back_at: datetime | None
    calibrated: bool


class ThresholdOut(Schema):
    severity_beyond: float
    min_reviews: int


class ReliabilityOut(Schema):
    issuer: str
    credential: str | None
    credentials: list[str]
    versions: list[int]
    attempts: int = Field(description="Decided attempts in scope with at least one panel review")
    threshold: ThresholdOut | None = Field(description="The definition's recalibrate_when; null: nobody is flagged")
    calibration_required: bool
    criteria: list[ReliabilityCriterionOut]
    reviewers: list[ReliabilityReviewerOut]


class SendBackOut(Schema):
    reviewer: str
    credential: str
    sent_at: datetime
    severity: float | None
    reviews: int
    calibrated: bool


def _out(figures: Reliability) -> dict[str, Any]:
    return {
        "issuer": figures.issuer.slug,
        "credential": figures.credential.slug if figures.credential else None,
        "credentials": [c.slug for c in figures.credentials],
        "versions": figures.versions,
        "attempts": figures.attempts,
        "threshold": figures.threshold.model_dump() if figures.threshold else None,
        "calibration_required": figures.calibration_required,
        "criteria": figures.criteria,
        "reviewers": figures.reviewers,
    }


@router.get(
    "/{slug}/reliability",
    response={200: ReliabilityOut, **errors(401, 404, 422)},
    url_name="issuer_reliability",
)
def reliability(request: HttpRequest, slug: Slug, filters: Query[ReliabilityQuery]) -> dict[str, Any]:
    """Reviewer agreement on one of the issuer's credentials, over its decided attempts' panel reviews."""
    chosen = Filters(
        credential=filters.credential, version=filters.version, decided_from=filters.decided_from, decided_to=filters.to
    )
    return _out(reliability_for_admin(user=request_user(request), slug=slug, filters=chosen))


@router.post(
    "/{slug}/reliability/{credential}/reviewers/{user_id}/send-back",
    response={200: SendBackOut, **errors(400, 401, 403, 404, 409, 422)},
    url_name="issuer_reliability_send_back",
)
def send_back(request: HttpRequest, slug: Slug, credential: Slug, user_id: Id) -> dict[str, Any]:
    """Send the reviewer back through calibration for the credential: their calibration stops counting, so they
    get no new seat on it until they pass it again (audited; the reviewer is emailed). 409 when it would change
    nothing (calibration not required, or they are not calibrated now)."""
    admin = request_user(request)
    found, reviewer, person = reviewer_get_for_recalibration(
        user=admin, slug=slug, credential_slug=credential, reviewer_id=user_id
    )
    counted = person.flag_severity is not None
    row = reviewer_recalibrate(
        reviewer=reviewer,
        credential=found,
        actor=admin,
        severity=person.flag_severity if counted else person.severity,
        reviews=person.flag_reviews if counted else person.reviews,
        reason="sent back through the API",
    )
    return {
        "reviewer": reviewer.email,
        "credential": found.slug,
        "sent_at": row.sent_at,
        "severity": row.severity,
        "reviews": row.reviews,
        "calibrated": False,
    }
