"""Decisions on both real programs, feedback, resubmission and the attempt limit, overrides and the audit log."""

from __future__ import annotations

import json

import pytest
from django.http import Http404

from core.errors import InvalidInput, InvalidState, NotAllowed
from core.models import AppendOnly, AuditEvent
from notifications.models import Email, Notification
from reviews.calibration import rubric_hash
from reviews.models import AssignmentState, AttemptGrant, Decision, Seat, SeatRole
from reviews.selectors import attempt_get_for_reviewer, feedback_for_attempt, resubmission_status
from reviews.services import attempt_grant_extra, attempt_return_incomplete, decision_make
from submissions.models import AttemptStatus, Draft, Status, Submission
from submissions.services import status_replay
from tests.reviews.helpers import open_assignments, review, submit_attempt
from tests.submissions.helpers import history
from workflow.services import attempt_submit, decision_override

CK_REVIEWERS = ["sam@classkick.example", "sid@classkick.example", "mia@mentors.example", "max@mentors.example"]


def decide_classkick(attempt, classkick, *, developing_from: str | None = None):
    """All four review; `developing_from` rates Balance Developing (below Accomplished)."""
    assignments = open_assignments(attempt)
    for email in CK_REVIEWERS:
        if email in assignments:
            review(
                assignments[email], classkick, "exemplary", balance="developing" if email == developing_from else None
            )
    attempt.refresh_from_db()
    return Decision.objects.filter(attempt=attempt).first()


def test_a_classkick_attempt_with_one_balance_developing_is_not_yet_earned(ck_attempt, classkick, educator):
    assignments = open_assignments(ck_attempt)
    for email in CK_REVIEWERS[:3]:
        review(assignments[email], classkick, "exemplary", balance="developing" if email.startswith("mia") else None)
    assert not Decision.objects.filter(attempt=ck_attempt).exists(), "three of four reviews decide nothing"
    ck_attempt.refresh_from_db()
    assert ck_attempt.status == AttemptStatus.IN_REVIEW

    review(assignments["max@mentors.example"], classkick, "exemplary")

    decision = Decision.objects.get(attempt=ck_attempt)
    ck_attempt.refresh_from_db()
    assert (decision.outcome, ck_attempt.status, ck_attempt.submission.status) == (
        "not_yet_earned",
        "not_yet_earned",
        "not_yet_earned",
    )
    balance = next(c for c in decision.results["criteria"] if c["criterion"] == "balance")
    assert balance["passed"] is False
    assert balance["reason"] == "Reviewer 3 rated it Developing, below Accomplished"
    assert [given["seat"] for given in decision.inputs] == [1, 2, 3, 4]
    assert decision.inputs[2]["scores"]["balance"] == "developing"
    assert decision.version == ck_attempt.version
    assert decision.rubric_hash == rubric_hash(ck_attempt.version.definition)
    assert len(decision.policy_hash) == 64
    event = history(ck_attempt.submission, kind="not_yet_earned", attempt=ck_attempt).get()
    assert event.data["decision"] == decision.pk
    assert AuditEvent.objects.filter(action="decision.made", subject_id=decision.pk).count() == 1
    assert [n.kind for n in Notification.objects.filter(user=educator).order_by("id")] == [
        "attempt_submitted",
        "attempt_decided",
    ]
    assert Email.objects.filter(to=educator.email, name="attempt_decided").count() == 1


def test_the_decision_is_made_once_however_often_it_is_asked_for(ck_attempt, classkick):
    decision = decide_classkick(ck_attempt, classkick)
    assert decision.outcome == "earned"
    again = decision_make(attempt=ck_attempt)
    assert again == decision
    assert Decision.objects.filter(attempt=ck_attempt).count() == 1
    assert Notification.objects.filter(kind="attempt_decided").count() == 1
    assert not Seat.objects.filter(attempt=ck_attempt, closed_at__isnull=True).exists()
    submission = Submission.objects.get(pk=ck_attempt.submission_id)
    assert (submission.status, submission.is_open) == (Status.EARNED, False)
    status, attempts = status_replay(submission=submission)
    assert status == submission.status
    assert attempts[ck_attempt.pk] == AttemptStatus.EARNED


def test_the_educator_reads_feedback_per_criterion_with_reviewers_anonymous(ck_attempt, classkick, educator, ck_panel):
    decide_classkick(ck_attempt, classkick, developing_from="mia@mentors.example")
    feedback = feedback_for_attempt(attempt=ck_attempt, viewer=educator)
    assert (feedback.outcome, feedback.outcome_label) == ("not_yet_earned", "Not yet earned")
    balance = next(c for c in feedback.criteria if c.id == "balance")
    assert balance.passed is False
    assert balance.part_title == "2. Share evidence of your collaboration"
    assert [(g.reviewer, g.level_label) for g in balance.levels] == [
        ("Reviewer 1", "Exemplary"),
        ("Reviewer 2", "Exemplary"),
        ("Reviewer 3", "Developing"),
        ("Reviewer 4", "Exemplary"),
    ]
    assert balance.levels[2].reasoning == "The Balance evidence shows planning happened only once."
    assert balance.levels[2].suggestion.startswith("Schedule regular Balance planning")
    assert feedback.for_part("evidence") == feedback.criteria
    assert feedback.next_steps[0] == "Revise what the reviewers describe for: Balance."
    assert "2 attempts left" in feedback.next_steps[1]
    assert "detailed feedback will be provided" in feedback.issuer_feedback
    text = json.dumps(feedback.as_dict(), default=str)
    for reviewer in ck_panel.values():
        assert reviewer.name not in text
        assert reviewer.email not in text


def test_feedback_is_hidden_before_the_decision_and_from_anyone_but_the_educator_and_admins(
    ck_attempt, classkick, educator, educator2, ck_panel, issuer_admin, other_issuer_admin
):
    with pytest.raises(Http404):
        feedback_for_attempt(attempt=ck_attempt, viewer=educator)
    decide_classkick(ck_attempt, classkick)
    for outsider in (educator2, ck_panel["sam"], other_issuer_admin, None):
        with pytest.raises(Http404):
            feedback_for_attempt(attempt=ck_attempt, viewer=outsider)
    assert feedback_for_attempt(attempt=ck_attempt, viewer=issuer_admin).outcome == "earned"


def test_a_resubmission_starts_from_the_last_attempt_and_the_reviewers_see_what_changed(
    ck_attempt, classkick, educator, make_reviewer, samples
):

    decide_classkick(ck_attempt, classkick, developing_from="mia@mentors.example")
    submission = Submission.objects.get(pk=ck_attempt.submission_id)
    assert Draft.objects.get(pk=submission.pk).responses == ck_attempt.responses  # pre-filled from attempt 1
    assert resubmission_status(submission=submission).can_resubmit

    from tests.submissions.helpers import save

    save(submission, educator, {"evidence.balance": "We now hold a weekly planning meeting with three teachers."})
    second = attempt_submit(submission=submission, actor=educator)
    assert second.number == 2
    second.refresh_from_db()
    assert second.status == AttemptStatus.IN_REVIEW
    assert history(second.submission, kind="resubmitted", attempt=second).exists()

    assignment = next(iter(open_assignments(second).values()))
    view = attempt_get_for_reviewer(user=assignment.reviewer, assignment_id=assignment.pk)
    assert view.attempt_number == 2
    assert view.resubmission is not None
    changed = [c.ref for c in view.resubmission.changes if c.changed]
    assert changed == ["evidence.balance"]
    balance = next(c for c in view.resubmission.changes if c.ref == "evidence.balance")
    assert balance.current == "We now hold a weekly planning meeting with three teachers."
    assert view.resubmission.previous_number == 1
    assert view.resubmission.feedback.outcome == "not_yet_earned"
    assert view.resubmission.evidence_added == []
    assert view.resubmission.evidence_removed == []

    # All four pass this time.
    decide_classkick(second, classkick)
    assert Decision.objects.get(attempt=second).outcome == "earned"


def test_past_the_attempt_limit_the_educator_is_pointed_to_coaching_until_an_admin_grants_another(
    ck_attempt, classkick, educator, issuer_admin, ck_panel
):
    attempt = ck_attempt
    for number in (1, 2, 3):
        assert attempt.number == number
        decide_classkick(attempt, classkick, developing_from="sam@classkick.example")
        submission = Submission.objects.get(pk=attempt.submission_id)
        if number < 3:
            # With only four reviewers the previous panel is seated again (nobody else is eligible).
            attempt = attempt_submit(submission=submission, actor=educator)
    status = resubmission_status(submission=submission)
    assert (status.used, status.allowed, status.can_resubmit) == (3, 3, False)
    assert "used all 3 attempts" in status.message
    assert status.coaching_url == "/credentials/classkick-collaboration/#section-resources"
    with pytest.raises(InvalidState, match="used all 3 attempts"):
        attempt_submit(submission=submission, actor=educator)

    with pytest.raises(InvalidInput, match="reason"):
        attempt_grant_extra(admin=issuer_admin, submission=submission, reason="")
    grant = attempt_grant_extra(admin=issuer_admin, submission=submission, reason="Coaching session completed")
    assert AttemptGrant.objects.get() == grant
    audit = AuditEvent.objects.get(action="submission.extra_attempt_granted")
    assert (audit.actor, audit.old, audit.new, audit.data["reason"]) == (
        issuer_admin,
        "3",
        "4",
        "Coaching session completed",
    )
    assert Notification.objects.filter(user=educator, kind="extra_attempt_granted").count() == 1
    fourth = attempt_submit(submission=Submission.objects.get(pk=submission.pk), actor=educator)
    assert fourth.number == 4


def test_only_an_admin_of_the_issuer_grants_extra_attempts(ck_attempt, other_issuer_admin, ck_panel):
    submission = Submission.objects.get(pk=ck_attempt.submission_id)
    for someone in (other_issuer_admin, ck_panel["sam"]):
        with pytest.raises(NotAllowed):
            attempt_grant_extra(admin=someone, submission=submission, reason="please")


def test_educators_rising_assessors_who_disagree_get_a_lead_who_decides(er_panel, educators_rising, educator2):
    attempt = submit_attempt(educator2, educators_rising)
    assignments = open_assignments(attempt)
    assert set(assignments) == {"ann@assessors.example", "bob@educatorsrising.example"}
    review(assignments["ann@assessors.example"], educators_rising, "commendable")
    review(
        assignments["bob@educatorsrising.example"],
        educators_rising,
        "highly_skilled",
        effect_on_instruction="developing",
    )
    assert not Decision.objects.filter(attempt=attempt).exists()
    lead_seat = Seat.objects.get(attempt=attempt, role=SeatRole.ADJUDICATOR)
    assert (lead_seat.position, lead_seat.kind, lead_seat.reviewer) == (3, "lead_assessor", er_panel["lea"])
    assert AuditEvent.objects.filter(action="attempt.adjudication_requested", subject_id=attempt.pk).count() == 1
    leads = open_assignments(attempt)
    assert set(leads) == {"lea@educatorsrising.example"}

    view = attempt_get_for_reviewer(user=er_panel["lea"], assignment_id=leads["lea@educatorsrising.example"].pk)
    assert view.adjudicator
    assert view.disputed == ["effect_on_instruction"]
    assert view.my_scores == {}  # the lead sees which criterion is disputed, not how anyone scored it

    review(leads["lea@educatorsrising.example"], educators_rising, "commendable")
    decision = Decision.objects.get(attempt=attempt)
    assert decision.outcome == "earned"
    effect = next(c for c in decision.results["criteria"] if c["criterion"] == "effect_on_instruction")
    assert effect["disputed"]
    assert effect["passed"]
    assert [given["role"] for given in decision.inputs] == ["panel", "panel", "adjudicator"]


def test_educators_rising_assessors_who_agree_need_no_lead(er_panel, educators_rising, educator2):
    attempt = submit_attempt(educator2, educators_rising)
    for assignment in open_assignments(attempt).values():
        review(assignment, educators_rising, "highly_skilled", what_to_change="developing")
    assert Decision.objects.get(attempt=attempt).outcome == "not_yet_earned"
    assert not Seat.objects.filter(attempt=attempt, role=SeatRole.ADJUDICATOR).exists()


def test_an_admin_overrides_a_decision_with_a_reason_and_it_is_audited(ck_attempt, classkick, educator, issuer_admin):
    decision = decide_classkick(ck_attempt, classkick, developing_from="max@mentors.example")
    with pytest.raises(InvalidInput, match="reason"):
        decision_override(admin=issuer_admin, decision=decision, outcome="earned", reason="  ")
    with pytest.raises(InvalidInput, match="already not yet earned"):
        decision_override(admin=issuer_admin, decision=decision, outcome="not_yet_earned", reason="no change")
    with pytest.raises(InvalidInput, match="choose one of"):
        decision_override(admin=issuer_admin, decision=decision, outcome="passed", reason="x")

    decision_override(admin=issuer_admin, decision=decision, outcome="earned", reason="The mentor misread Balance")

    decision.refresh_from_db()
    assert (decision.outcome, decision.original_outcome, decision.overridden_by) == (
        "earned",
        "not_yet_earned",
        issuer_admin,
    )
    submission = Submission.objects.get(pk=ck_attempt.submission_id)
    assert (submission.status, submission.is_open) == (Status.EARNED, False)
    event = history(ck_attempt.submission, attempt=ck_attempt).latest("at", "id")
    assert (event.action, event.actor, event.data["override"]) == ("submission.earned", issuer_admin, True)
    audit = AuditEvent.objects.get(action="decision.overridden")
    assert (audit.actor, audit.old, audit.new, audit.data["reason"]) == (
        issuer_admin,
        "not_yet_earned",
        "earned",
        "The mentor misread Balance",
    )
    assert Notification.objects.filter(user=educator, kind="decision_overridden").count() == 1
    # And back again: the submission reopens for a resubmission.
    decision_override(admin=issuer_admin, decision=decision, outcome="not_yet_earned", reason="Appeal upheld")
    submission.refresh_from_db()
    assert (submission.status, submission.is_open) == (Status.NOT_YET_EARNED, True)
    status, _ = status_replay(submission=submission)
    assert status == submission.status


def test_only_an_admin_of_the_issuer_overrides(ck_attempt, classkick, other_issuer_admin, ck_panel):
    decision = decide_classkick(ck_attempt, classkick)
    for someone in (other_issuer_admin, ck_panel["sam"]):
        with pytest.raises(NotAllowed):
            decision_override(admin=someone, decision=decision, outcome="not_yet_earned", reason="I disagree")
    decision.refresh_from_db()
    assert decision.outcome == "earned"


def test_a_decision_cannot_be_edited_except_by_an_override(ck_attempt, classkick):
    decision = decide_classkick(ck_attempt, classkick)
    decision.results = {}
    with pytest.raises(ValueError, match="only decision_override"):
        decision.save()


def test_the_audit_log_is_append_only(ck_attempt):
    row = AuditEvent.objects.filter(action="assignment.created").order_by("id")[0]
    row.new = "tampered"
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=row.pk).update(new="tampered")
    assert AuditEvent.objects.get(pk=row.pk).new == "open"


def test_an_admin_returns_an_attempt_as_incomplete(ck_attempt, classkick, educator, issuer_admin, ck_panel):
    with pytest.raises(NotAllowed):
        attempt_return_incomplete(admin=ck_panel["sam"], attempt=ck_attempt, reason="unreadable")
    attempt_return_incomplete(admin=issuer_admin, attempt=ck_attempt, reason="The PDF is blank; upload it again.")
    ck_attempt.refresh_from_db()
    assert ck_attempt.status == AttemptStatus.RETURNED_INCOMPLETE
    assert not open_assignments(ck_attempt)
    assert set(ck_attempt.review_assignments.values_list("state", flat=True)) == {AssignmentState.CANCELLED}
    assert Notification.objects.filter(user=educator, kind="attempt_returned_incomplete").count() == 1
    assert Notification.objects.filter(kind="assignment_ended").count() == 4
    # It does not count against the limit: the educator may submit again at once.
    submission = Submission.objects.get(pk=ck_attempt.submission_id)
    assert resubmission_status(submission=submission).used == 0
