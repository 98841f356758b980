"""An earned decision issues the credential once it commits; an override away from earned revokes it."""

from __future__ import annotations

from awards.models import Badge
from awards.tasks import awards_issue_due
from awards.verify import verify_credential
from tests.reviews.test_decisions import decide_classkick
from workflow.services import decision_override


def test_an_earned_decision_issues_a_credential_that_verifies(
    ck_attempt, classkick, educator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide_classkick(ck_attempt, classkick)
    assert decision.outcome == "earned"
    awarded = Badge.objects.get(attempt=ck_attempt)
    assert awarded.earner == educator
    report = verify_credential(awarded.document_text)
    assert report.valid, report.as_dict()["checks"]


def test_a_not_yet_earned_decision_issues_nothing(ck_attempt, classkick, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide_classkick(ck_attempt, classkick, developing_from="mia@mentors.example")
    assert decision.outcome == "not_yet_earned"
    assert not Badge.objects.exists()


def test_the_sweep_issues_what_a_lost_task_did_not(ck_attempt, classkick):
    # Without running the on-commit callbacks, the task never ran: as if the worker died after the commit.
    decide_classkick(ck_attempt, classkick)
    assert not Badge.objects.exists()
    issued = awards_issue_due()
    assert len(issued) == 1
    assert awards_issue_due() == []  # and nothing twice
    assert Badge.objects.filter(attempt=ck_attempt).count() == 1


def test_overriding_an_earned_decision_revokes_its_credential(
    ck_attempt, classkick, issuer_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide_classkick(ck_attempt, classkick)
    with django_capture_on_commit_callbacks(execute=True):
        decision_override(admin=issuer_admin, decision=decision, outcome="not_yet_earned", reason="Evidence was lent")
    awarded = Badge.objects.get(attempt=ck_attempt)
    assert awarded.revoked_at is not None
    assert "Evidence was lent" in awarded.revocation_reason
    report = verify_credential(awarded.document_text)
    assert not report.valid
    status = next(check for check in report.checks if check.id == "status")
    assert status.outcome == "failed"
    assert "revoked" in status.detail
