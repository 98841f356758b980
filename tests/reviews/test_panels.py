"""Panels: who may sit on one, how load is spread, and what happens when nobody can."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import ReviewerProfile, ReviewerRole
from coaching.models import CoachingShare
from coaching.services import coaching_share_create
from core.models import AuditEvent
from notifications.models import Notification
from reviews.models import Assignment, AssignmentState, Seat
from reviews.services import seats_fill_waiting
from submissions.models import AttemptStatus, Attestation, Submission
from submissions.services import attempt_withdraw
from tests.conftest import reviewer_role_give
from tests.reviews.conftest import calibrate
from tests.reviews.helpers import open_assignments, review, submit_attempt
from tests.submissions.helpers import history

STAFF, MENTOR = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR


def panel_emails(attempt):
    return {
        seat.position: seat.reviewer.email if seat.reviewer else None
        for seat in Seat.objects.filter(attempt=attempt).select_related("reviewer")
    }


def test_it_fills_the_classkick_panel_with_two_staff_and_two_grade_band_mentors(ck_attempt, educator):
    ck_attempt.refresh_from_db()
    seats = list(Seat.objects.filter(attempt=ck_attempt).order_by("position"))
    assert [(s.kind, s.match_grade_band) for s in seats] == [
        ("issuer_staff", False),
        ("issuer_staff", False),
        ("mentor", True),
        ("mentor", True),
    ]
    assert panel_emails(ck_attempt) == {
        1: "sam@classkick.example",
        2: "sid@classkick.example",
        3: "mia@mentors.example",
        4: "max@mentors.example",
    }
    assert ck_attempt.status == AttemptStatus.IN_REVIEW
    assert ck_attempt.submission.status == "in_review"
    assert history(ck_attempt.submission, kind="in_review", attempt=ck_attempt).count() == 1
    assert AuditEvent.objects.filter(action="assignment.created").count() == 4
    assignment = Assignment.objects.filter(attempt=ck_attempt).order_by("id")[0]
    assert assignment.remind_at is not None
    assert assignment.due_at - assignment.assigned_at == timedelta(days=14)
    assert assignment.due_at - assignment.remind_at == timedelta(days=3)
    assert assignment.expires_at - assignment.due_at == timedelta(days=3)
    assert Notification.objects.filter(kind="review_assigned").count() == 4
    assert Notification.objects.filter(user=educator, kind="attempt_submitted").count() == 1


def test_the_reviewers_are_told_without_the_candidates_identity(ck_attempt, educator):
    from notifications.models import Email
    from notifications.tasks import email_render

    emails = list(Email.objects.filter(name="review_assigned"))
    assert len(emails) == 4  # one per seat of the Classkick panel: the loop below checks each
    for email in emails:
        subject, text, html = email_render(name=email.name, context=email.context)
        for identity in (educator.name, educator.email, educator.organisation, "Edna", "Lincoln"):
            assert identity not in subject + text + html


# Each case spoils Zed, a Middle-school mentor made before Mia and Max, so that with nothing wrong he would
# take the first mentor seat (equal load, never assigned: the lowest id wins).
EXCLUSIONS: dict[str, dict[str, Any]] = {
    "nothing wrong (control)": {},
    "the same organisation, written differently": {"organisation": "  lincoln HIGH school "},
    "a declared conflict with the candidate's school": {"conflicts": "Roosevelt Middle School\nLINCOLN HIGH SCHOOL\n"},
    "another grade band": {"bands": ["college", "high_school"]},
    "not calibrated": {"calibrated": False},
    "no capacity": {"capacity": 0},
}


@pytest.mark.parametrize("case", list(EXCLUSIONS))
def test_it_never_seats_an_ineligible_reviewer(case, make_reviewer, classkick, samples, educator, issuer_admin):
    make_reviewer("zed@mentors.example", MENTOR, classkick, **EXCLUSIONS[case])
    for email, kind in [
        ("sam@classkick.example", STAFF),
        ("sid@classkick.example", STAFF),
        ("mia@mentors.example", MENTOR),
        ("max@mentors.example", MENTOR),
    ]:
        make_reviewer(email, kind, classkick)
    attempt = submit_attempt(educator, classkick)
    mentors = {panel_emails(attempt)[3], panel_emails(attempt)[4]}
    if case == "nothing wrong (control)":
        assert "zed@mentors.example" in mentors
    else:
        assert mentors == {"mia@mentors.example", "max@mentors.example"}


@pytest.mark.parametrize("met_as", ["coach", "collaborator"])
def test_it_never_seats_someone_who_met_the_draft_outside_review(
    met_as, make_reviewer, classkick, samples, educator, issuer_admin
):
    # Zed would take the first mentor seat (see EXCLUSIONS); coaching the draft, or being named as the
    # collaborator of one of its planning conversations, tells him whose it is.
    zed = make_reviewer("zed@mentors.example", MENTOR, classkick)
    for email, kind in [
        ("sam@classkick.example", STAFF),
        ("sid@classkick.example", STAFF),
        ("mia@mentors.example", MENTOR),
        ("max@mentors.example", MENTOR),
    ]:
        make_reviewer(email, kind, classkick)

    def meet(submission: Submission) -> None:
        if met_as == "coach":
            coaching_share_create(
                actor=educator, submission=submission, email="ZED@mentors.example", role="mentor", files_allowed=False
            )
            assert CoachingShare.objects.get(submission=submission).coach == zed
        else:
            Attestation.objects.create(
                submission=submission,
                field_ref="artifacts.planning_log",
                entry_id="e1",
                email=zed.email,
                token_digest="0" * 64,
                expires_at=timezone.now() + timedelta(days=14),
            )

    attempt = submit_attempt(educator, classkick, before_submit=meet)
    assert {panel_emails(attempt)[3], panel_emails(attempt)[4]} == {"mia@mentors.example", "max@mentors.example"}


def test_it_never_seats_the_candidate_even_as_a_mentor(make_reviewer, classkick, samples, educator, issuer_admin):
    reviewer_role_give(educator, classkick.issuer, MENTOR, ["middle_school"])
    calibrate(educator, classkick)
    make_reviewer("sam@classkick.example", STAFF, classkick)
    make_reviewer("sid@classkick.example", STAFF, classkick)
    make_reviewer("mia@mentors.example", MENTOR, classkick)
    attempt = submit_attempt(educator, classkick)
    assert educator.email not in panel_emails(attempt).values()
    assert panel_emails(attempt)[4] is None  # the second mentor seat waits rather than seat her


def test_it_never_seats_an_inactive_reviewer_or_one_of_another_issuer(
    make_reviewer, classkick, educators_rising, samples, educator, issuer_admin
):
    make_reviewer("sam@classkick.example", STAFF, classkick)
    make_reviewer("sid@classkick.example", STAFF, classkick)
    away = make_reviewer("away@mentors.example", MENTOR, classkick)
    ReviewerProfile.objects.filter(user=away).update(is_active=False)
    make_reviewer("erin@mentors.example", MENTOR, educators_rising)  # Educators Rising's mentor only
    attempt = submit_attempt(educator, classkick)
    assert panel_emails(attempt) == {1: "sam@classkick.example", 2: "sid@classkick.example", 3: None, 4: None}


def test_fewest_open_assignments_come_first(make_reviewer, classkick, samples, educator, educator2, issuer_admin):
    for email in ("sam@classkick.example", "sid@classkick.example", "sue@classkick.example", "stu@classkick.example"):
        make_reviewer(email, STAFF, classkick)
    for email in ("m1@mentors.example", "m2@mentors.example", "m3@mentors.example"):
        make_reviewer(email, MENTOR, classkick)
    first = submit_attempt(educator2, classkick)
    assert {panel_emails(first)[3], panel_emails(first)[4]} == {"m1@mentors.example", "m2@mentors.example"}
    assert {panel_emails(first)[1], panel_emails(first)[2]} == {"sam@classkick.example", "sid@classkick.example"}

    second = submit_attempt(educator, classkick)
    # m3 has no open review; m1 and m2 one each (the tie goes to the lower id). Sue and Stu have none.
    assert panel_emails(second) == {
        1: "sue@classkick.example",
        2: "stu@classkick.example",
        3: "m3@mentors.example",
        4: "m1@mentors.example",
    }


def test_with_equal_load_the_longest_idle_reviewer_comes_first(
    make_reviewer, classkick, samples, educator, educator2, issuer_admin
):
    make_reviewer("sam@classkick.example", STAFF, classkick)
    make_reviewer("sid@classkick.example", STAFF, classkick)
    for email in ("m1@mentors.example", "m2@mentors.example", "m3@mentors.example"):
        make_reviewer(email, MENTOR, classkick)
    first = submit_attempt(educator2, classkick)
    for assignment in open_assignments(first).values():
        review(assignment, classkick)  # everyone's load is back to zero
    # m2 was last assigned long ago, m1 just now; m3 never.
    Assignment.objects.filter(reviewer__email="m2@mentors.example").update(
        assigned_at=first.submitted_at - timedelta(days=30)
    )
    second = submit_attempt(educator, classkick)
    assert {panel_emails(second)[3], panel_emails(second)[4]} == {"m3@mentors.example", "m2@mentors.example"}


def test_a_full_reviewer_is_skipped_and_the_seat_waits_with_the_admins_told_once(
    make_reviewer, classkick, samples, educator, educator2, issuer_admin, platform_admin
):
    make_reviewer("sam@classkick.example", STAFF, classkick, capacity=2)
    make_reviewer("sid@classkick.example", STAFF, classkick, capacity=2)
    make_reviewer("m1@mentors.example", MENTOR, classkick, capacity=1)
    make_reviewer("m2@mentors.example", MENTOR, classkick, capacity=1)
    first = submit_attempt(educator2, classkick)
    second = submit_attempt(educator, classkick)
    assert panel_emails(second) == {1: "sam@classkick.example", 2: "sid@classkick.example", 3: None, 4: None}
    waiting = Seat.objects.filter(attempt=second, reviewer__isnull=True)
    assert waiting.count() == 2
    assert all(seat.waiting_since is not None for seat in waiting)
    # One notice for the attempt's waiting seats, to Classkick's admin (not to the platform admin, since
    # the issuer has one).
    notices = Notification.objects.filter(kind="seat_waiting")
    assert [(n.user, n.kind) for n in notices] == [(issuer_admin, "seat_waiting")]
    assert "2 review seats waiting" in notices[0].title
    assert AuditEvent.objects.filter(action="seat.waiting").count() == 2

    assert seats_fill_waiting() == 0  # still nobody: no second notice
    assert Notification.objects.filter(kind="seat_waiting").count() == 1

    review(open_assignments(first)["m1@mentors.example"], classkick)  # m1 is free again
    assert seats_fill_waiting() == 1
    assert panel_emails(second)[3] == "m1@mentors.example"
    assert Notification.objects.filter(kind="seat_waiting").count() == 1


def test_a_seat_waiting_for_calibration_is_filled_once_the_mentor_calibrates(
    make_reviewer, classkick, samples, educator, issuer_admin, django_capture_on_commit_callbacks
):
    make_reviewer("sam@classkick.example", STAFF, classkick)
    make_reviewer("sid@classkick.example", STAFF, classkick)
    make_reviewer("mia@mentors.example", MENTOR, classkick)
    late = make_reviewer("max@mentors.example", MENTOR, classkick, calibrated=False)
    attempt = submit_attempt(educator, classkick)
    assert panel_emails(attempt)[4] is None

    with django_capture_on_commit_callbacks(execute=True):
        calibrate(late, classkick)

    assert panel_emails(attempt)[4] == "max@mentors.example"


def test_with_nobody_eligible_the_attempt_stays_submitted_and_can_still_be_withdrawn(
    classkick, samples, educator, issuer_admin
):
    attempt = submit_attempt(educator, classkick)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert Seat.objects.filter(attempt=attempt, reviewer__isnull=True).count() == 4
    attempt_withdraw(attempt=attempt, actor=educator)
    seats_fill_waiting()
    assert not Seat.objects.filter(attempt=attempt, closed_at__isnull=True).exists()


def test_a_previous_attempts_reviewers_are_avoided_while_others_are_eligible(
    make_reviewer, classkick, samples, educator, issuer_admin
):
    for email in ("sam@classkick.example", "sid@classkick.example", "sue@classkick.example"):
        make_reviewer(email, STAFF, classkick)
    for email in ("mia@mentors.example", "max@mentors.example"):
        make_reviewer(email, MENTOR, classkick)
    first = submit_attempt(educator, classkick)
    first_panel = set(panel_emails(first).values())
    assert first_panel == {
        "sam@classkick.example",
        "sid@classkick.example",
        "mia@mentors.example",
        "max@mentors.example",
    }
    for email, assignment in open_assignments(first).items():
        review(assignment, classkick, balance="developing" if email.startswith("mia") else None)
    first.refresh_from_db()
    assert first.status == AttemptStatus.NOT_YET_EARNED

    second = submit_attempt(educator, classkick, changes={"evidence.balance": "We now plan every week together."})
    panel = panel_emails(second)
    # Sue is the only staff member who did not review attempt 1: she comes first; the other staff seat and
    # both mentor seats fall back to attempt 1's reviewers because nobody else is eligible.
    assert panel[1] == "sue@classkick.example"
    assert panel[2] in {"sam@classkick.example", "sid@classkick.example"}
    assert {panel[3], panel[4]} == {"mia@mentors.example", "max@mentors.example"}


def test_every_assignment_and_seat_change_is_in_the_audit_log(ck_attempt):
    rows = AuditEvent.objects.filter(action="assignment.created").order_by("id")
    assert [(r.subject_type, r.new, r.actor) for r in rows] == [("assignment", AssignmentState.OPEN, None)] * 4
    assert {r.data["seat"] for r in rows} == {1, 2, 3, 4}
