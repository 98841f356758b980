"""An issuer's dashboard figures at /api/v1/issuers/<issuer>/dashboard: the funnel, turnaround, pass rates,
resubmissions, reviewer load and on-time rate, under the same filters as the page (from, to, credential, version)
and from the same selector (reviews/selectors/dashboard.py). For the issuer's admins and platform admins; anyone
else signed in gets 404, no session or token 401. A filter the issuer cannot have is a 422 naming it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from annotated_types import Ge, Le
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from api.auth import request_user, session_or_token
from api.common import Slug, errors
from reviews.selectors.dashboard import DashboardFilters, dashboard_for_admin

router = Router(auth=session_or_token)

VersionNumber = Annotated[int, Ge(1), Le(1_000_000)]
Rate = Annotated[float | None, Field(description="A share from 0 to 1; null where nothing counted")]


class DashboardQuery(Schema):
    model_config = ConfigDict(populate_by_name=True)

    date_from: date | None = Field(
        None, alias="from", description="First day (YYYY-MM-DD, inclusive, in the site's time zone)"
    )
    to: date | None = Field(None, description="Last day (YYYY-MM-DD, inclusive)")
    credential: Slug | None = Field(None, description="One of the issuer's credentials, by slug")
    version: VersionNumber | None = Field(None, description="A version number of that credential (needs credential)")


class FiltersOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    date_from: date | None = Field(None, alias="from")
    to: date | None
    credential: str | None
    version: int | None


class CredentialOut(Schema):
    slug: str
    title: str
    versions: list[int]


class FunnelOut(Schema):
    started: int = Field(description="Submissions started (by when they were started, under the date filter)")
    submitted: int = Field(description="Of them, submitted at least once")
    decided: int = Field(description="Of them, with at least one decision")
    earned: int = Field(description="Of them, earned")
    not_yet_earned: int = Field(description="Decided but not (yet) earned")


class BinOut(Schema):
    low_days: int
    high_days: int = Field(description="The bin holds low_days <= days < high_days")
    count: int


class TurnaroundOut(Schema):
    decided: int
    median_days: float | None
    p90_days: float | None = Field(description="90th percentile, interpolated between the closest ranks")
    deadline_days: list[int] = Field(description="The review policy's due days (one value unless versions differ)")
    within_deadline: int
    share_within_deadline: Rate
    bins: list[BinOut]


class DashboardCriterionOut(Schema):
    credential: str
    criterion: str
    title: str
    scores: int
    passing: int = Field(description="Scores at or above the rubric's passing level")
    rate: Rate


class BandOut(Schema):
    band: str = Field(description='The grade band\'s id; "" for attempts without one')
    label: str
    decided: int
    earned: int
    rate: Rate


class ResubmissionsOut(Schema):
    attempts: int = Field(description='Attempts made after a "not yet earned" decision on the one before')
    decided: int
    earned: int
    not_yet_earned: int
    waiting: int
    rate: Rate


class DashboardReviewerOut(Schema):
    user_id: int
    name: str
    email: str
    open_reviews: int = Field(description="Open reviews on the issuer's credentials (in scope) now")
    overdue: int
    on_time: int = Field(description="Reviews submitted by their due date")
    came_due: int = Field(
        description="Assignments whose timeliness is settled: submitted, expired, reassigned after the due date, "
        "or open past it"
    )
    on_time_rate: Rate


class DashboardOut(Schema):
    issuer: str
    filters: FiltersOut
    credentials: list[CredentialOut]
    funnel: FunnelOut
    turnaround: TurnaroundOut
    criteria: list[DashboardCriterionOut]
    grade_bands: list[BandOut]
    resubmissions: ResubmissionsOut
    reviewers: list[DashboardReviewerOut]


@router.get(
    "/{slug}/dashboard",
    response={200: DashboardOut, **errors(401, 404, 422)},
    url_name="issuer_dashboard",
    summary="An issuer's review figures",
    by_alias=True,  # the filters come back named as they are sent: from, to
)
def issuer_dashboard(request: HttpRequest, slug: Slug, filters: Query[DashboardQuery]) -> dict[str, Any]:
    """The issuer's funnel, turnaround against the review policy's deadline, pass rates per criterion and grade band,
    resubmission success, and each reviewer's open load and on-time rate. Dates pick submissions by start (the
    funnel), attempts by submission (the rest) and reviews by due date (on-time rate); load is as it stands now."""
    board = dashboard_for_admin(
        user=request_user(request),
        slug=slug,
        filters=DashboardFilters(
            date_from=filters.date_from, date_to=filters.to, credential=filters.credential, version=filters.version
        ),
    )
    return board.as_dict()
