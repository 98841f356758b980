"""Submitting freezes an attempt; withdrawing and the later status changes are events; the status
columns always agree with the event history."""

from __future__ import annotations

import pytest
from django.db import connection

from catalog.models import CredentialVersion
from core.errors import InvalidState, NotAllowed
from core.models import AppendOnly, AuditEvent
from submissions.errors import EmailNotConfirmed, NotReady, StartRefused
from submissions.models import Attempt, AttemptStatus, Draft, Status, Submission
from submissions.selectors import submission_events, submission_timeline
from submissions.services import (
    attempt_transition,
    attempt_withdraw,
    draft_save,
    evidence_remove,
    status_replay,
    submission_start,
)
from tests.submissions import files
from tests.submissions.conftest import load_fixture
from tests.submissions.helpers import complete_portfolio, history, save, upload
from workflow.services import attempt_submit


@pytest.fixture
def ready(draft, educator) -> Submission:
    complete_portfolio(draft, educator)
    return draft


def test_submit_is_refused_with_the_findings_while_any_blocking_one_stands(draft, educator):
    save(draft, educator, {"context.school_name": "Lincoln"})
    with pytest.raises(NotReady) as excinfo:
        attempt_submit(submission=draft, actor=educator)
    checks = {(f.check, f.field) for f in excinfo.value.findings}
    assert ("required", "context.grade_band") in checks
    assert not Attempt.objects.exists()
    draft.refresh_from_db()
    assert draft.status == Status.IN_PROGRESS


def test_advisory_findings_do_not_block_and_are_recorded_on_the_event(ready, educator):
    attempt = attempt_submit(submission=ready, actor=educator)
    event = history(ready, kind="submitted", attempt=attempt).get()
    assert event.data["advisory"] == [
        "The narrative is best drafted within a day of delivering the lesson. It was first written on "
        f"{Draft.objects.get(pk=ready.pk).first_written_at['plan.narrative'][:10]}."
    ]


def test_submit_freezes_responses_evidence_self_evaluation_and_the_exact_version(ready, educator):
    attempt = attempt_submit(submission=ready, actor=educator)
    draft = Draft.objects.get(pk=ready.pk)
    assert attempt.number == 1
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.responses == draft.responses
    assert attempt.self_evaluation == draft.self_evaluation
    assert attempt.version == ready.version
    assert attempt.grade_band == "middle_school"
    item = ready.evidence.get()
    assert attempt.evidence_manifest == [item.manifest()]
    assert list(attempt.evidence_files.all()) == [item]
    ready.refresh_from_db()
    assert ready.status == Status.SUBMITTED
    assert [(e.action, e.old, e.new) for e in history(ready)] == [
        ("submission.started", "", "started"),
        ("submission.saved", "started", "in_progress"),
        ("submission.submitted", "in_progress", "submitted"),
    ]


def test_later_draft_edits_and_a_new_definition_version_do_not_change_the_attempt(ready, educator):
    attempt = attempt_submit(submission=ready, actor=educator)
    frozen = (attempt.responses, attempt.self_evaluation, attempt.evidence_manifest, attempt.version_id)
    attempt_withdraw(attempt=attempt, actor=educator)
    save(ready, educator, {"plan.narrative": "A completely different narrative now.", "context.grade_band": "primary"})
    evidence_remove(evidence=ready.evidence.get(), actor=educator)
    upload(ready, educator, "plan.lesson_files", "new.png", files.png())
    changed = load_fixture("practice-portfolio", replace={"title: Practice Portfolio": "title: Practice Portfolio 2"})
    assert changed.current_version != attempt.version
    assert CredentialVersion.objects.filter(credential=changed).count() == 2

    stored = Attempt.objects.get(pk=attempt.pk)
    assert (stored.responses, stored.self_evaluation, stored.evidence_manifest, stored.version_id) == frozen
    assert stored.version.spec.title == "Practice Portfolio"
    assert stored.responses["plan"]["narrative"] != "A completely different narrative now."


def test_an_attempt_cannot_be_rewritten(ready, educator):
    attempt = attempt_submit(submission=ready, actor=educator)
    attempt.responses = {"plan": {"narrative": "tampered"}}
    with pytest.raises(ValueError, match="frozen snapshot"):
        attempt.save()
    with pytest.raises(ValueError, match="frozen snapshot"):
        attempt.save(update_fields=["responses"])


def test_events_cannot_be_rewritten(ready):
    event = history(ready, kind="started").get()
    event.action = "submission.earned"
    with pytest.raises(AppendOnly, match="append-only"):
        event.save()


def test_a_double_submit_freezes_only_one_attempt(ready, educator):
    attempt_submit(submission=ready, actor=educator)
    stale_copy = Submission.objects.get(pk=ready.pk)
    stale_copy.status = Status.IN_PROGRESS  # what a second tab loaded before the first submit
    with pytest.raises(InvalidState, match="cannot be submitted again"):
        attempt_submit(submission=stale_copy, actor=educator)
    assert Attempt.objects.filter(submission=ready).count() == 1


def test_the_draft_is_locked_while_an_attempt_waits_for_review(ready, educator):
    attempt_submit(submission=ready, actor=educator)
    with pytest.raises(InvalidState, match="is submitted, so its draft cannot change now"):
        draft_save(submission=ready, actor=educator, base_revision=99, changes={"plan.narrative": "x"})


def test_submit_waits_for_a_confirmed_email_address_and_keeps_the_draft(ready, educator):
    educator.email_verified_at = None
    educator.save()
    with pytest.raises(EmailNotConfirmed, match="confirm your email address before you submit"):
        attempt_submit(submission=ready, actor=educator)
    ready.refresh_from_db()
    assert ready.status == Status.IN_PROGRESS
    assert not Attempt.objects.filter(submission=ready).exists()
    assert Draft.objects.get(pk=ready.pk).responses  # nothing typed was lost


def test_only_the_owner_may_submit(ready, educator2):
    with pytest.raises(NotAllowed):
        attempt_submit(submission=ready, actor=educator2)


# ----- withdraw -----------------------------------------------------------------------------------


def test_withdrawing_before_review_reopens_the_draft_and_resubmitting_makes_attempt_two(ready, educator):
    first = attempt_submit(submission=ready, actor=educator)
    attempt_withdraw(attempt=first, actor=educator)
    first.refresh_from_db()
    ready.refresh_from_db()
    assert first.status == AttemptStatus.WITHDRAWN
    assert ready.status == Status.WITHDRAWN
    save(ready, educator, {"plan.narrative": "Revised: I planned with my team and a coach."})
    second = attempt_submit(submission=ready, actor=educator)
    assert second.number == 2
    ready.refresh_from_db()
    assert ready.status == Status.RESUBMITTED
    assert history(ready).latest("at", "id").action == "submission.resubmitted"


def test_withdrawing_is_refused_once_review_has_started(ready, educator, north_reviewer):
    attempt = attempt_submit(submission=ready, actor=educator)
    attempt_transition(attempt=attempt, actor=north_reviewer, kind="in_review")
    with pytest.raises(InvalidState, match="only be withdrawn before its review starts"):
        attempt_withdraw(attempt=attempt, actor=educator)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_REVIEW


def test_only_the_owner_may_withdraw(ready, educator, educator2):
    attempt = attempt_submit(submission=ready, actor=educator)
    with pytest.raises(NotAllowed):
        attempt_withdraw(attempt=attempt, actor=educator2)


def test_withdrawing_twice_is_refused(ready, educator):
    attempt = attempt_submit(submission=ready, actor=educator)
    attempt_withdraw(attempt=attempt, actor=educator)
    with pytest.raises(InvalidState):
        attempt_withdraw(attempt=attempt, actor=educator)


# ----- transitions for reviews --------------------------------------------------------------------


def test_the_review_path_to_earned_closes_the_submission(ready, educator, north_reviewer):
    attempt = attempt_submit(submission=ready, actor=educator)
    attempt_transition(attempt=attempt, actor=north_reviewer, kind="in_review")
    attempt_transition(attempt=attempt, actor=None, kind="earned", data={"decision": 1})
    ready.refresh_from_db()
    assert (ready.status, ready.is_open) == (Status.EARNED, False)
    assert history(ready).latest("at", "id").data == {
        "attempt_status": ["in_review", "earned"],
        "decision": 1,
        "attempt": attempt.pk,
        "attempt_number": 1,
    }
    with pytest.raises(InvalidState):
        save(ready, educator, {"plan.narrative": "more"})
    # Earned and closed: the definition allows no renewal, so starting again is refused, naming the earned one.
    with pytest.raises(StartRefused) as refused:
        submission_start(educator=educator, credential=ready.credential)
    assert (refused.value.submission, refused.value.reason) == (ready, "earned")


def test_not_yet_earned_reopens_the_draft_for_a_resubmission(ready, educator, north_reviewer):
    attempt = attempt_submit(submission=ready, actor=educator)
    attempt_transition(attempt=attempt, actor=north_reviewer, kind="in_review")
    attempt_transition(attempt=attempt, actor=north_reviewer, kind="not_yet_earned")
    save(ready, educator, {"plan.narrative": "Revised after feedback from the reviewers."})
    assert attempt_submit(submission=ready, actor=educator).number == 2


def test_the_attempt_limit_counts_judged_attempts_only(ready, educator, north_reviewer):
    # The Practice Portfolio allows 2 attempts; a withdrawn or incomplete one does not count.
    first = attempt_submit(submission=ready, actor=educator)
    attempt_transition(attempt=first, actor=north_reviewer, kind="returned_incomplete")
    second = attempt_submit(submission=ready, actor=educator)
    attempt_transition(attempt=second, actor=north_reviewer, kind="in_review")
    attempt_transition(attempt=second, actor=north_reviewer, kind="not_yet_earned")
    third = attempt_submit(submission=ready, actor=educator)
    attempt_transition(attempt=third, actor=north_reviewer, kind="in_review")
    attempt_transition(attempt=third, actor=north_reviewer, kind="not_yet_earned")
    with pytest.raises(InvalidState, match="You have used all 2 attempts this credential allows"):
        attempt_submit(submission=ready, actor=educator)


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "earned"),
        ([], "not_yet_earned"),
        (["in_review"], "in_review"),
        (["withdrawn"], "in_review"),
        (["in_review", "earned"], "not_yet_earned"),
        ([], "started"),
    ],
)
def test_transitions_out_of_order_are_refused(ready, educator, north_reviewer, path, refused):
    attempt = attempt_submit(submission=ready, actor=educator)
    for kind in path:
        attempt_transition(attempt=attempt, actor=north_reviewer, kind=kind)
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidState):
        attempt_transition(attempt=attempt, actor=north_reviewer, kind=refused)
    assert AuditEvent.objects.count() == before


def test_an_older_attempt_cannot_be_moved(ready, educator, north_reviewer):
    first = attempt_submit(submission=ready, actor=educator)
    attempt_withdraw(attempt=first, actor=educator)
    attempt_submit(submission=ready, actor=educator)
    with pytest.raises(InvalidState):
        attempt_transition(attempt=first, actor=north_reviewer, kind="in_review")


def test_the_status_columns_are_what_the_events_say(ready, educator, north_reviewer):
    first = attempt_submit(submission=ready, actor=educator)
    attempt_withdraw(attempt=first, actor=educator)
    second = attempt_submit(submission=ready, actor=educator)
    attempt_transition(attempt=second, actor=north_reviewer, kind="in_review")
    attempt_transition(attempt=second, actor=north_reviewer, kind="not_yet_earned")
    ready.refresh_from_db()
    status, attempts = status_replay(submission=ready)
    assert status == ready.status == Status.NOT_YET_EARNED
    assert status_replay(submission=ready, events=list(history(ready))) == (status, attempts)
    assert attempts == {a.pk: a.status for a in Attempt.objects.filter(submission=ready)}
    assert attempts == {first.pk: "withdrawn", second.pk: "not_yet_earned"}


def test_each_event_is_recorded_in_the_one_audit_log_with_its_submission_attempt_and_issuer(ready, educator):
    attempt = attempt_submit(submission=ready, actor=educator)
    started, saved, submitted = history(ready)
    assert {(e.subject_type, e.subject_id, e.issuer_id) for e in (started, saved, submitted)} == {
        ("submission", ready.pk, ready.credential.issuer_id)
    }
    assert (started.actor, started.data) == (
        educator,
        {"version": ready.version_id, "attempt": None, "attempt_number": None},
    )
    assert (submitted.actor, submitted.data["attempt"], submitted.data["attempt_number"]) == (educator, attempt.pk, 1)
    assert (submitted.data["number"], submitted.data["content_hash"]) == (1, ready.version.content_hash)


def test_the_timeline_reads_the_events_back_with_their_attempt_numbers(ready, educator):
    first = attempt_submit(submission=ready, actor=educator)
    attempt_withdraw(attempt=first, actor=educator)
    attempt_submit(submission=ready, actor=educator)
    events = submission_events(submission=ready)
    assert [(e.kind, e.old_status, e.new_status, e.attempt_number) for e in events] == [
        ("started", "", "started", None),
        ("saved", "started", "in_progress", None),
        ("submitted", "in_progress", "submitted", 1),
        ("withdrawn", "submitted", "withdrawn", 1),
        ("resubmitted", "withdrawn", "resubmitted", 2),
    ]
    assert events[3].data == {"attempt_status": ["submitted", "withdrawn"]}
    assert [(entry.label, entry.attempt) for entry in submission_timeline(submission=ready)] == [
        ("Started", None),
        ("In progress (first saved)", None),
        ("Submitted", 1),
        ("Withdrawn", 1),
        ("Resubmitted", 2),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_freeze_exactly_one_attempt(educator, portfolio):
    """Two threads (two tabs) submit the same draft at once; the row lock (on SQLite, the write lock every
    transaction takes as it begins) lets exactly one through."""
    import threading

    submission, _ = submission_start(educator=educator, credential=portfolio)
    complete_portfolio(submission, educator)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            stale = Submission.objects.get(pk=submission.pk)  # both load it before either submits
            barrier.wait()
            attempt_submit(submission=stale, actor=educator)
            outcomes.append("submitted")
        except InvalidState:
            outcomes.append("refused")
        except Exception as error:  # reported in the assertion below rather than lost in the thread
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "submitted"]
    assert Attempt.objects.filter(submission=submission).count() == 1
