"""Reviewer roles are held per issuer: a seat takes only someone the credential's issuer gave that seat's role
(any role there for a seat open to any reviewer), with the submission's grade band on that very role."""

from __future__ import annotations

import pytest

from accounts.models import ReviewerRole
from accounts.services import reviewer_role_grant, reviewer_role_revoke
from core.errors import InvalidInput
from reviews.models import Assignment, AssignmentState, Seat, SeatRole
from reviews.selectors import attempt_get_for_reviewer
from reviews.services import assignment_reassign, seats_fill_waiting
from tests.conftest import reviewer_role_give
from tests.reviews.conftest import calibrate
from tests.reviews.helpers import open_assignments, review, submit_attempt

STAFF, MENTOR, LEAD = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR, ReviewerRole.Kind.LEAD_ASSESSOR


def seated(attempt) -> dict[int, str | None]:
    return {
        seat.position: seat.reviewer.email if seat.reviewer else None
        for seat in Seat.objects.filter(attempt=attempt).select_related("reviewer")
    }


def test_classkick_staff_never_take_an_educators_rising_assessor_seat(
    make_reviewer, classkick, educators_rising, samples, educator2, other_issuer_admin
):
    sam = make_reviewer("sam@classkick.example", STAFF, classkick, name="Sam Staff")
    # Calibrated on Educators Rising's rubric too (through a role there, since ended), so that only the missing
    # role can keep him off its seats.
    visiting = reviewer_role_give(sam, educators_rising.issuer, MENTOR)
    calibrate(sam, educators_rising)
    visiting.delete()

    attempt = submit_attempt(educator2, educators_rising)

    assert seated(attempt) == {1: None, 2: None}
    assert seats_fill_waiting() == 0
    assert not Assignment.objects.filter(reviewer=sam).exists()

    # The control: the same person, once Educators Rising gives him a role, is seated at once.
    reviewer_role_grant(actor=other_issuer_admin, user=sam, issuer=educators_rising.issuer, kind=MENTOR, grade_bands=[])
    assert seats_fill_waiting() == 1
    assert seated(attempt)[1] == "sam@classkick.example"


def test_the_educators_rising_lead_seat_takes_its_lead_assessor_and_no_other_staff(
    make_reviewer, educators_rising, samples, educator2, other_issuer_admin
):
    ann = make_reviewer("ann@assessors.example", MENTOR, educators_rising, name="Ann Assessor")
    bob = make_reviewer("bob@educatorsrising.example", STAFF, educators_rising, name="Bob Assessor")
    make_reviewer("ola@educatorsrising.example", STAFF, educators_rising, name="Ola")  # free, calibrated, staff
    attempt = submit_attempt(educator2, educators_rising)
    assignments = open_assignments(attempt)
    assert set(assignments) == {ann.email, bob.email}
    review(assignments[ann.email], educators_rising, "commendable")
    review(assignments[bob.email], educators_rising, "highly_skilled", effect_on_instruction="developing")

    lead_seat = Seat.objects.get(attempt=attempt, role=SeatRole.ADJUDICATOR)
    assert (lead_seat.kind, lead_seat.title, lead_seat.reviewer) == ("lead_assessor", "Lead assessor", None)

    lea = make_reviewer("lea@educatorsrising.example", LEAD, educators_rising, name="Lea Lead")
    assert seats_fill_waiting() == 1
    lead_seat.refresh_from_db()
    assert lead_seat.reviewer == lea


def test_a_lead_assessor_of_classkick_does_not_take_the_educators_rising_lead_seat(
    er_panel, make_reviewer, classkick, educators_rising, educator2
):
    # Lea, the lead assessor, holds no seat yet; Leo leads only for Classkick (and is calibrated for both).
    leo = make_reviewer("leo@classkick.example", LEAD, classkick, name="Leo")
    visiting = reviewer_role_give(leo, educators_rising.issuer, MENTOR)
    calibrate(leo, educators_rising)
    visiting.delete()
    attempt = submit_attempt(educator2, educators_rising)
    assignments = open_assignments(attempt)
    review(assignments["ann@assessors.example"], educators_rising, "commendable")
    review(
        assignments["bob@educatorsrising.example"],
        educators_rising,
        "highly_skilled",
        effect_on_instruction="developing",
    )
    assert Seat.objects.get(attempt=attempt, role=SeatRole.ADJUDICATOR).reviewer == er_panel["lea"]
    assert not Assignment.objects.filter(reviewer=leo).exists()


@pytest.mark.parametrize(
    "roles",
    [
        pytest.param({"classkick": {MENTOR: ["high_school"]}}, id="a mentor of another band"),
        pytest.param(
            {"classkick": {MENTOR: ["high_school"]}, "educators-rising": {MENTOR: ["middle_school"]}},
            id="the band held at another issuer",
        ),
        pytest.param(
            {"classkick": {MENTOR: ["high_school"], STAFF: ["middle_school"]}},
            id="the band held on another role",
        ),
    ],
)
def test_a_mentor_without_the_band_on_that_role_at_that_issuer_does_not_take_a_band_seat(
    roles, make_user, make_reviewer, classkick, educators_rising, samples, educator, issuer_admin
):
    # Zed is made first, so with the right role he would take the first mentor seat (lowest id on equal load).
    zed = make_user("zed@mentors.example", "Zed")
    issuers = {"classkick": classkick.issuer, "educators-rising": educators_rising.issuer}
    for slug, held in roles.items():
        for kind, bands in held.items():
            reviewer_role_give(zed, issuers[slug], kind, bands)
    calibrate(zed, classkick)
    for email, kind in [("sam@classkick.example", STAFF), ("sid@classkick.example", STAFF)]:
        make_reviewer(email, kind, classkick)
    make_reviewer("mia@mentors.example", MENTOR, classkick)

    attempt = submit_attempt(educator, classkick, band="middle_school")

    # The mentor seats: Mia, and one that waits rather than take Zed (who may sit on a staff seat as staff).
    assert (seated(attempt)[3], seated(attempt)[4]) == ("mia@mentors.example", None)


def test_revoking_a_role_stops_new_seats_and_leaves_the_reviews_already_given(
    ck_attempt, ck_panel, classkick, educator2, issuer_admin
):
    mia = ck_panel["mia"]
    given = Assignment.objects.get(attempt=ck_attempt, reviewer=mia)

    reviewer_role_revoke(actor=issuer_admin, role=ReviewerRole.objects.get(user=mia, issuer=classkick.issuer))

    second = submit_attempt(educator2, classkick)
    assert "mia@mentors.example" not in seated(second).values()
    assert seated(second)[4] is None
    # The review she was given stays hers, and she can still read and score it.
    given.refresh_from_db()
    assert given.state == AssignmentState.OPEN
    assert attempt_get_for_reviewer(user=mia, assignment_id=given.pk).assignment_id == given.pk
    review(given, classkick)
    given.refresh_from_db()
    assert given.state == AssignmentState.SUBMITTED


def test_an_admin_cannot_move_a_review_to_someone_without_the_seats_role(
    ck_attempt, ck_panel, classkick, make_reviewer
):
    from accounts.models import User

    admin = User.objects.get(email="ada@classkick.example")
    staff_seat = Assignment.objects.get(attempt=ck_attempt, reviewer=ck_panel["sam"])
    mentor = make_reviewer("moe@mentors.example", MENTOR, classkick, name="Moe")

    with pytest.raises(InvalidInput) as caught:
        assignment_reassign(assignment=staff_seat, admin=admin, reason="Sam is away", to_reviewer=mentor)

    assert [e.field for e in caught.value.errors] == ["to_reviewer"]
    assert "is not issuer staff of this credential's issuer" in caught.value.errors[0].message
    staff_seat.refresh_from_db()
    assert staff_seat.state == AssignmentState.OPEN


def test_an_assessor_seat_leaves_the_lead_assessor_free_to_adjudicate(
    make_reviewer, educators_rising, samples, educator2
):
    # Lea is the longest idle, so least load alone would seat her as an assessor; then a split would leave the
    # lead seat with nobody who is not already on the panel.
    lea = make_reviewer("lea@educatorsrising.example", LEAD, educators_rising, name="Lea Lead")
    ann = make_reviewer("ann@assessors.example", MENTOR, educators_rising, name="Ann Assessor")
    bob = make_reviewer("bob@educatorsrising.example", STAFF, educators_rising, name="Bob Assessor")
    attempt = submit_attempt(educator2, educators_rising)
    assignments = open_assignments(attempt)
    assert set(assignments) == {ann.email, bob.email}
    review(assignments[ann.email], educators_rising, "commendable")
    review(assignments[bob.email], educators_rising, "highly_skilled", effect_on_instruction="developing")
    lead_seat = Seat.objects.get(attempt=attempt, role=SeatRole.ADJUDICATOR)
    assert lead_seat.reviewer == lea


def test_a_lead_assessor_still_takes_an_assessor_seat_when_nobody_else_can(
    make_reviewer, educators_rising, samples, educator2
):
    lea = make_reviewer("lea@educatorsrising.example", LEAD, educators_rising, name="Lea Lead")
    ann = make_reviewer("ann@assessors.example", MENTOR, educators_rising, name="Ann Assessor")
    attempt = submit_attempt(educator2, educators_rising)
    assert set(open_assignments(attempt)) == {ann.email, lea.email}
