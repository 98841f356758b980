"""An issuer's reviewers through the API at /api/v1/issuers/<slug>/reviewers: the roster (roles and grade bands,
calibration, capacity, open load, on-time rate, paused or not) and the waiting invitations; inviting by email;
giving and ending a role; pausing, resuming, capacity. The same selectors and services as the Reviewers page
(pages/issuers), with the same permissions: the issuer's admins and platform admins; anyone else signed in gets
404, an anonymous request 401. Every change is audited in the services with the caller as actor.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import StringConstraints

from accounts.models import ReviewerInvite
from accounts.reviewer_invites import reviewer_invite, reviewer_invite_resend, reviewer_invite_revoke
from accounts.reviewer_roles import (
    PAUSE_REASON_MAX,
    reviewer_capacity_set,
    reviewer_pause,
    reviewer_resume,
    reviewer_role_grant,
    reviewer_role_revoke,
)
from api.auth import request_user, session_or_token
from api.common import Id, Slug, StrictIn, errors
from reviews.selectors.roster import (
    Roster,
    RosterReviewer,
    invite_get_for_admin,
    issuer_get_for_admin,
    reviewer_for_admin,
    reviewer_user_get_for_admin,
    role_get_for_admin,
    roster_for_admin,
)
from reviews.services import seats_fill_waiting_after_commit

router = Router(auth=session_or_token)

Text = Annotated[str, StringConstraints(max_length=1000)]


class InviteIn(StrictIn):
    email: Annotated[str, StringConstraints(max_length=254)]
    name: Annotated[str, StringConstraints(max_length=1000)] = ""  # needed only for an address with no account
    kinds: list[Text]
    grade_bands: list[Text] = []


class RoleIn(StrictIn):
    kind: Text
    grade_bands: list[Text] = []


class PauseIn(StrictIn):
    until: date | None = None  # new seats may come again from this day; omitted: until resumed
    reason: Annotated[str, StringConstraints(max_length=PAUSE_REASON_MAX * 4)] = ""


class CapacityIn(StrictIn):
    capacity: int


class RoleOut(Schema):
    id: int
    kind: str
    grade_bands: list[str]
    granted_at: datetime
    granted_by: str


class CalibrationOut(Schema):
    credential: str
    required: bool
    calibrated: bool
    scored: int
    samples: int


class OnTimeOut(Schema):
    on_time: int
    came_due: int
    rate: float | None  # on_time / came_due; None when nothing came due in the window


class PauseOut(Schema):
    until: date | None
    reason: str
    paused_by: str
    paused_at: datetime


class ReviewerOut(Schema):
    user_id: int
    name: str
    email: str
    active: bool  # new seats of this issuer may go to them now
    account_open: bool
    profile_active: bool  # the person-level switch, wherever they review
    pause: PauseOut | None  # this issuer's pause, while in force
    capacity: int
    open_reviews: int  # at every issuer
    on_time: OnTimeOut
    roles: list[RoleOut]
    calibration: list[CalibrationOut]


class InvitationOut(Schema):
    id: int
    email: str
    name: str
    status: str
    kinds: list[str]
    grade_bands: list[str]
    sent_at: datetime
    sent_count: int
    expires_at: datetime


class RosterOut(Schema):
    issuer: str
    on_time_days: int
    on_time_since: datetime
    reviewers: list[ReviewerOut]
    invitations: list[InvitationOut]


class InviteOut(Schema):
    result: str  # "invited": an address with no account was emailed; "granted": an account was given the roles
    user_id: int | None
    invitation: InvitationOut | None
    granted: list[str]
    changed: list[str]  # held already, with other grade bands: now these
    unchanged: list[str]


def _reviewer(row: RosterReviewer) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "name": row.name,
        "email": row.email,
        "active": row.is_active,
        "account_open": row.account_open,
        "profile_active": row.profile_active,
        "pause": row.pause,
        "capacity": row.capacity,
        "open_reviews": row.open_reviews,
        "on_time": {"on_time": row.on_time.on_time, "came_due": row.on_time.came_due, "rate": row.on_time.rate},
        "roles": [
            {
                "id": role.id,
                "kind": role.kind,
                "grade_bands": role.band_ids,
                "granted_at": role.granted_at,
                "granted_by": role.granted_by,
            }
            for role in row.roles
        ],
        "calibration": [
            {
                "credential": cal.credential,
                "required": cal.status.required,
                "calibrated": cal.status.calibrated,
                "scored": cal.status.scored,
                "samples": cal.status.samples,
            }
            for cal in row.calibration
        ],
    }


def _invitation(invite: ReviewerInvite) -> dict[str, Any]:
    return {
        "id": invite.pk,
        "email": invite.email,
        "name": invite.name,
        "status": invite.status,
        "kinds": list(invite.kinds),
        "grade_bands": invite.grade_band_list(),
        "sent_at": invite.sent_at,
        "sent_count": invite.sent_count,
        "expires_at": invite.token_expires_at,
    }


def _roster(roster: Roster) -> dict[str, Any]:
    return {
        "issuer": roster.issuer.slug,
        "on_time_days": roster.on_time_days,
        "on_time_since": roster.on_time_since,
        "reviewers": [_reviewer(row) for row in roster.reviewers],
        "invitations": [
            {
                "id": invite.id,
                "email": invite.email,
                "name": invite.name,
                "status": ReviewerInvite.Status.PENDING,
                "kinds": invite.kinds,
                "grade_bands": invite.band_ids,
                "sent_at": invite.sent_at,
                "sent_count": invite.sent_count,
                "expires_at": invite.expires_at,
            }
            for invite in roster.invites
        ],
    }


@router.get("/{slug}/reviewers", response={200: RosterOut, **errors(401, 404, 422)}, url_name="issuer_reviewers")
def roster(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """The issuer's reviewers and its waiting invitations. On time: of this issuer's reviews that came due in
    the last `on_time_days` days, the share submitted by their due date."""
    return _roster(roster_for_admin(user=request_user(request), slug=slug))


@router.post(
    "/{slug}/reviewers/invitations",
    response={200: InviteOut, **errors(400, 401, 403, 404, 413, 422)},
    url_name="issuer_reviewers_invite",
)
def invite(request: HttpRequest, slug: Slug, payload: InviteIn) -> dict[str, Any]:
    """Give the roles (each with these grade bands) to the account with this address, emailing its holder; or,
    for an address with no account (`name` then needed), email an invitation to accept."""
    admin = request_user(request)
    issuer = issuer_get_for_admin(user=admin, slug=slug)
    outcome = reviewer_invite(
        actor=admin,
        issuer=issuer,
        email=payload.email,
        name=payload.name,
        kinds=list(payload.kinds),
        grade_bands=list(payload.grade_bands),
    )
    if outcome.granted or outcome.changed:
        seats_fill_waiting_after_commit()
    return {
        "result": "invited" if outcome.invite is not None else "granted",
        "user_id": outcome.user.pk if outcome.user is not None else None,
        "invitation": _invitation(outcome.invite) if outcome.invite is not None else None,
        "granted": [role.kind for role in outcome.granted],
        "changed": [role.kind for role in outcome.changed],
        "unchanged": [role.kind for role in outcome.unchanged],
    }


@router.post(
    "/{slug}/reviewers/invitations/{invite_id}/resend",
    response={200: InvitationOut, **errors(401, 403, 404, 409, 422)},
    url_name="issuer_reviewers_invite_resend",
)
def invite_resend(request: HttpRequest, slug: Slug, invite_id: Id) -> dict[str, Any]:
    """Email a waiting invitation again with a new link; the link sent before stops working."""
    admin = request_user(request)
    found = invite_get_for_admin(user=admin, slug=slug, invite_id=invite_id)
    return _invitation(reviewer_invite_resend(actor=admin, invite=found))


@router.post(
    "/{slug}/reviewers/invitations/{invite_id}/revoke",
    response={200: InvitationOut, **errors(401, 403, 404, 409, 422)},
    url_name="issuer_reviewers_invite_revoke",
)
def invite_revoke(request: HttpRequest, slug: Slug, invite_id: Id) -> dict[str, Any]:
    """Withdraw a waiting invitation: its link then gives no role."""
    admin = request_user(request)
    found = invite_get_for_admin(user=admin, slug=slug, invite_id=invite_id)
    return _invitation(reviewer_invite_revoke(actor=admin, invite=found))


@router.post(
    "/{slug}/reviewers/{user_id}/roles",
    response={200: ReviewerOut, **errors(400, 401, 403, 404, 413, 422)},
    url_name="issuer_reviewers_role_grant",
)
def role_grant(request: HttpRequest, slug: Slug, user_id: Id, payload: RoleIn) -> dict[str, Any]:
    """Give one more role to a person who already reviews for the issuer, or change a role's grade bands (a
    new person is invited through /invitations)."""
    admin = request_user(request)
    issuer, person = reviewer_user_get_for_admin(user=admin, slug=slug, user_id=user_id)
    reviewer_role_grant(
        actor=admin, user=person, issuer=issuer, kind=payload.kind, grade_bands=list(payload.grade_bands)
    )
    seats_fill_waiting_after_commit()
    return _reviewer(reviewer_for_admin(user=admin, slug=slug, user_id=person.pk))


@router.delete(
    "/{slug}/reviewers/roles/{role_id}",
    response={204: None, **errors(401, 403, 404, 422)},
    url_name="issuer_reviewers_role_revoke",
)
def role_revoke(request: HttpRequest, slug: Slug, role_id: Id) -> Status[None]:
    """End a reviewer role. Reviews the person already holds stay theirs (the pipeline can reassign them)."""
    admin = request_user(request)
    reviewer_role_revoke(actor=admin, role=role_get_for_admin(user=admin, slug=slug, role_id=role_id))
    return Status(204, None)


@router.post(
    "/{slug}/reviewers/{user_id}/pause",
    response={200: ReviewerOut, **errors(400, 401, 403, 404, 413, 422)},
    url_name="issuer_reviewers_pause",
)
def pause(request: HttpRequest, slug: Slug, user_id: Id, payload: PauseIn) -> dict[str, Any]:
    """Stop new seats of the issuer's credentials going to the person, until resumed or `until`."""
    admin = request_user(request)
    issuer, person = reviewer_user_get_for_admin(user=admin, slug=slug, user_id=user_id)
    reviewer_pause(actor=admin, user=person, issuer=issuer, until=payload.until, reason=payload.reason)
    return _reviewer(reviewer_for_admin(user=admin, slug=slug, user_id=person.pk))


@router.post(
    "/{slug}/reviewers/{user_id}/resume",
    response={200: ReviewerOut, **errors(401, 403, 404, 422)},
    url_name="issuer_reviewers_resume",
)
def resume(request: HttpRequest, slug: Slug, user_id: Id) -> dict[str, Any]:
    """New seats of the issuer's credentials may go to the person again (nothing changes if not paused)."""
    admin = request_user(request)
    issuer, person = reviewer_user_get_for_admin(user=admin, slug=slug, user_id=user_id)
    if reviewer_resume(actor=admin, user=person, issuer=issuer):
        seats_fill_waiting_after_commit()
    return _reviewer(reviewer_for_admin(user=admin, slug=slug, user_id=person.pk))


@router.put(
    "/{slug}/reviewers/{user_id}/capacity",
    response={200: ReviewerOut, **errors(400, 401, 403, 404, 413, 422)},
    url_name="issuer_reviewers_capacity",
)
def capacity(request: HttpRequest, slug: Slug, user_id: Id, payload: CapacityIn) -> dict[str, Any]:
    """The most open reviews the person holds at once, at every issuer (0 to 50)."""
    admin = request_user(request)
    issuer, person = reviewer_user_get_for_admin(user=admin, slug=slug, user_id=user_id)
    reviewer_capacity_set(actor=admin, user=person, issuer=issuer, capacity=payload.capacity)
    seats_fill_waiting_after_commit()
    return _reviewer(reviewer_for_admin(user=admin, slug=slug, user_id=person.pk))
