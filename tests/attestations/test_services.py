"""Asking a collaborator to confirm a planning entry and their answer, through the real services: the address kept
out of the draft and the audit log, single-use expiring links, throttles, a changed entry setting a confirmation
aside, what a definition may require before submitting, and what an attempt keeps."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import InvalidInput, InvalidState, NotAllowed, TooSoon
from core.models import AuditEvent
from notifications.models import Email, Notification, NotificationKind
from submissions.attestations import attestation_link_get, entry_states
from submissions.checks import is_blocked
from submissions.errors import NotReady
from submissions.models import AttemptAttestation, Attestation, Draft, Submission
from submissions.services import (
    attestation_answer,
    attestation_request,
    completeness_check,
    submissions_erase,
)
from tests.attestations.conftest import DANA, LOG, ask, entry_id, log
from tests.submissions.helpers import save
from workflow.services import attempt_submit


def seen(token: str) -> str:
    return attestation_link_get(token=token).digest


def states(submission: Submission) -> list[str]:
    submission = Submission.objects.select_related("draft", "version").get(pk=submission.pk)
    found = entry_states(
        submission=submission, definition=submission.version.spec, responses=submission.draft.responses
    )
    return [s.status for s in found[LOG]]


def test_asking_emails_a_link_and_keeps_the_address_out_of_the_draft_and_the_log(er_draft, educator):
    token = ask(er_draft, educator, 2)

    [email] = Email.objects.filter(to=DANA)
    assert email.name == NotificationKind.ATTESTATION_REQUESTED
    assert email.context["educator"] == "Edna Educator"
    assert email.context["entry"] == "Planning interaction 2"
    row = Attestation.objects.get()
    assert (row.email, row.state, row.entry_id) == (DANA, "waiting", entry_id(er_draft, 2))
    assert token not in row.token_digest
    assert len(row.token_digest) == 64
    assert DANA not in json.dumps(Draft.objects.get(pk=er_draft.pk).responses)
    event = AuditEvent.objects.get(action="attestation.requested")
    assert event.actor == educator
    assert DANA not in json.dumps(event.data) + event.old + event.new
    assert states(er_draft) == ["not_asked", "waiting", "not_asked"]


def test_the_collaborator_confirms_once_and_the_educator_is_told_with_the_note(er_draft, educator):
    token = ask(er_draft, educator, 1)

    row = attestation_answer(token=token, confirm=True, note="Yes, we met on the 3rd.", seen=seen(token))

    assert row.state == "confirmed"
    [told] = Notification.objects.filter(user=educator, kind=NotificationKind.ATTESTATION_ANSWERED)
    assert told.url == f"/submissions/{er_draft.pk}/parts/artifacts/"
    assert told.email is not None
    assert "Yes, we met on the 3rd." in told.email.context["note"]
    assert AuditEvent.objects.get(action="attestation.confirmed").actor is None
    assert states(er_draft)[0] == "confirmed"
    # The link worked once: opened again it says so, and a second answer is refused.
    assert attestation_link_get(token=token).problem.startswith("This answer has already been recorded")
    with pytest.raises(InvalidState):
        attestation_answer(token=token, confirm=False, note="", seen=row.entry_digest)


def test_a_declined_entry_keeps_the_note_for_the_educator(er_draft, educator):
    token = ask(er_draft, educator, 3)
    attestation_answer(token=token, confirm=False, note="That was another forum.", seen=seen(token))
    assert states(er_draft)[2] == "declined"
    assert Attestation.objects.get().note == "That was another forum."


def test_changing_a_confirmed_entry_sets_the_confirmation_aside_until_asked_again(er_draft, educator):
    token = ask(er_draft, educator, 1)
    attestation_answer(token=token, confirm=True, note="", seen=seen(token))
    with pytest.raises(InvalidState):
        ask(er_draft, educator, 1)  # confirmed and unchanged: nothing to ask

    entries = log(er_draft)
    entries[0]["ideas"] = "Something they never said."
    save(er_draft, educator, {LOG: entries})

    assert states(er_draft)[0] == "changed"
    Attestation.objects.update(sent_at=timezone.now() - timedelta(hours=1))
    ask(er_draft, educator, 1)
    assert states(er_draft)[0] == "waiting"


def test_an_entry_changed_while_the_collaborator_reads_it_is_refused(er_draft, educator):
    token = ask(er_draft, educator, 1)
    read = seen(token)
    entries = log(er_draft)
    entries[0]["ideas"] = "Changed after the email."
    save(er_draft, educator, {LOG: entries})

    with pytest.raises(InvalidState, match="The entry changed while you were reading it"):
        attestation_answer(token=token, confirm=True, note="", seen=read)
    assert Attestation.objects.get().state == "waiting"


def test_wrong_and_expired_links_and_the_educators_own_use_are_refused(er_draft, educator):
    token = ask(er_draft, educator, 1)
    with pytest.raises(NotAllowed):
        attestation_link_get(token=token, viewer=educator)
    Attestation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert attestation_link_get(token=token).problem.startswith("This link has expired. Edna Educator can send")
    with pytest.raises(InvalidState):
        attestation_answer(token=token, confirm=True, note="", seen="x")
    assert states(er_draft)[0] == "expired"


def test_bad_requests_name_the_field(er_draft, educator, educator2):
    with pytest.raises(InvalidInput) as bad:
        attestation_request(submission=er_draft, actor=educator, field_ref=LOG, entry_id="x", email="not-an-address")
    assert bad.value.errors[0].field == "email"
    with pytest.raises(InvalidInput) as own:
        ask(er_draft, educator, 1, email="EDNA@example.org")
    assert own.value.errors[0].field == "email"
    with pytest.raises(InvalidInput) as unsaved:
        attestation_request(submission=er_draft, actor=educator, field_ref=LOG, entry_id="nope", email=DANA)
    assert unsaved.value.errors[0].field == "entry"
    with pytest.raises(NotAllowed):
        ask(er_draft, educator2, 1)
    assert not Attestation.objects.exists()


def test_one_entry_is_emailed_again_only_after_a_pause_and_an_address_only_a_few_times_a_day(
    er_draft, educator, settings
):
    ask(er_draft, educator, 1)
    with pytest.raises(TooSoon):
        ask(er_draft, educator, 1)
    settings.ACCOUNT_THROTTLES = {**settings.ACCOUNT_THROTTLES, "attestation_address": {"limit": 2, "window": 86400}}
    ask(er_draft, educator, 2)
    with pytest.raises(TooSoon, match="has been asked several times today"):
        ask(er_draft, educator, 3)
    assert Email.objects.filter(to=DANA).count() == 2


def test_the_program_as_written_needs_no_confirmation_to_submit(er_draft, educator):
    assert not is_blocked(completeness_check(submission=er_draft))
    attempt = attempt_submit(submission=er_draft, actor=educator)
    assert not AttemptAttestation.objects.filter(attempt=attempt).exists()


def test_a_definition_requiring_confirmations_blocks_submit_naming_the_entries(strict_draft, educator):
    findings = [f for f in completeness_check(submission=strict_draft) if f.check.startswith("attestation")]
    assert [(f.check, f.severity, f.field, f.entry) for f in findings] == [
        ("attestation_confirmed", "blocking", LOG, 1),
        ("attestation_each", "blocking", LOG, 2),
    ]
    assert findings[0].message == (
        "Planning log: at least 1 entry must be confirmed by the collaborator it records, and 0 is. Not confirmed: "
        "Planning interaction 1 (not asked yet); Planning interaction 2 (not asked yet); Planning interaction 3 "
        "(not asked yet)."
    )
    assert findings[1].message == (
        "Planning log: an entry for “An expert or educator mentor” must be confirmed by the collaborator it records. "
        "Not confirmed: Planning interaction 2 (not asked yet)."
    )
    with pytest.raises(NotReady):
        attempt_submit(submission=strict_draft, actor=educator)

    token = ask(strict_draft, educator, 1)
    attestation_answer(token=token, confirm=True, note="", seen=seen(token))
    token = ask(strict_draft, educator, 2, email="mo@mentors.example")
    remaining = [f for f in completeness_check(submission=strict_draft) if f.check.startswith("attestation")]
    assert [f.message for f in remaining] == [
        "Planning log: an entry for “An expert or educator mentor” must be confirmed by the collaborator it records. "
        "Not confirmed: Planning interaction 2 (waiting for an answer)."
    ]
    attestation_answer(token=token, confirm=True, note="", seen=seen(token))

    attempt = attempt_submit(submission=strict_draft, actor=educator)
    frozen = set(AttemptAttestation.objects.filter(attempt=attempt).values_list("entry_id", flat=True))
    assert frozen == {entry_id(strict_draft, 1), entry_id(strict_draft, 2)}


def test_a_confirmation_after_submit_counts_for_the_attempt_still_with_reviewers(er_draft, educator):
    token = ask(er_draft, educator, 2)
    attempt = attempt_submit(submission=er_draft, actor=educator)
    assert not AttemptAttestation.objects.exists()

    attestation_answer(token=token, confirm=True, note="", seen=seen(token))

    [row] = AttemptAttestation.objects.all()
    assert (row.attempt_id, row.entry_id) == (attempt.pk, entry_id(er_draft, 2))


def test_erasing_the_educator_removes_collaborators_addresses_and_notes(er_draft, educator):
    token = ask(er_draft, educator, 1)
    attestation_answer(token=token, confirm=False, note="Ring me.", seen=seen(token))
    submissions_erase(educator=educator)
    assert not Attestation.objects.exists()


def test_the_log_the_tests_fill_names_each_kind_in_order(er_draft):
    # The tests above rely on it: entry 2 is the expert's conversation.
    assert [e["kind"] for e in log(er_draft)] == ["peer", "expert", "online_network"]
