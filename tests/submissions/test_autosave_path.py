"""Autosave's own path (PATCH .../responses, services.draft_autosave): one read, taking no lock, finds the submission,
checks its owner and brings its draft; the write is guarded by what was read; the queries it runs are compiled once
per connection (core.compiled). What must hold whatever the speed: concurrent saves lose nothing, a save merged from
a draft that changed before its write is merged again, the answer is what the ORM would have read, the write is what
Model.save would have written, and a lock is never taken outside a transaction."""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from submissions.models import Attempt, Draft, Evidence, Submission
from submissions.selectors import submission_attempt_summaries, submission_evidence
from submissions.services import attempt_withdraw, draft_autosave
from submissions.services.drafts import _AUTOSAVE_LOCK, SUBMISSION_TOUCH
from submissions.services.writer_turn import turn_file_path
from tests.submissions import files
from tests.submissions.api_client import as_session, as_token
from tests.submissions.helpers import complete_portfolio, upload
from workflow.services import attempt_submit


def _patch(api: Any, submission: Submission, revision: int, text: str) -> Any:
    return api.patch(f"{submission.pk}/responses", {"base_revision": revision, "responses": {"plan.narrative": text}})


def _autosave_queries(api: Any, submission: Submission, text: str) -> list[str]:
    revision = Draft.objects.get(pk=submission.pk).revision
    with CaptureQueriesContext(connection) as queries:
        response = _patch(api, submission, revision, text)
    assert response.status_code == 200, response.content
    assert response.json()["responses"]["plan"]["narrative"] == text
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("via", ["token", "session"])
def test_an_autosave_runs_the_same_queries_however_many_files_and_attempts_the_draft_has(
    educator, draft, portfolio, via
):
    api = as_token(educator) if via == "token" else as_session(educator)
    _autosave_queries(api, draft, "First.")  # the first save also records the "saved" event
    bare = _autosave_queries(api, draft, "Second.")
    complete_portfolio(draft, educator)
    upload(draft, educator, "plan.lesson_files", "more.pdf", files.pdf())
    for _ in range(2):
        attempt = attempt_submit(submission=Submission.objects.get(pk=draft.pk), actor=educator)
        attempt_withdraw(attempt=attempt, actor=educator)
    grown = _autosave_queries(api, draft, "Third.")
    assert len(grown) == len(bare), "\n".join(grown)
    body = _patch(api, draft, Draft.objects.get(pk=draft.pk).revision, "Fourth.").json()
    assert [a["number"] for a in body["attempts"]] == [1, 2]
    assert [a["status"] for a in body["attempts"]] == ["withdrawn", "withdrawn"]
    assert len(body["evidence"]) == 2
    # The submission and its draft are read once, together: never read first and read again to lock them.
    reads = [sql for sql in grown if 'FROM "submissions_submission"' in sql]
    assert len(reads) == 1, reads
    assert '"submissions_draft"' in reads[0]
    assert not [sql for sql in grown if 'FROM "submissions_draft"' in sql]


def test_the_answer_lists_what_the_orm_reads(educator, draft):
    complete_portfolio(draft, educator)
    attempt = attempt_submit(submission=Submission.objects.get(pk=draft.pk), actor=educator)
    attempt_withdraw(attempt=attempt, actor=educator)
    evidence = submission_evidence(submission=draft)
    expected = list(Evidence.objects.filter(submission=draft, in_draft=True))
    assert [e.pk for e in evidence] == [e.pk for e in expected]
    for compiled, orm in zip(evidence, expected, strict=True):
        # Every field converted as the ORM converts it (aware datetimes, booleans, JSON lists), not raw rows.
        for field in Evidence._meta.concrete_fields:
            assert getattr(compiled, field.attname) == getattr(orm, field.attname), field.name
    (summary,) = submission_attempt_summaries(submission=draft)
    full = Attempt.objects.select_related("version").get(submission=draft)
    assert (summary.number, summary.status, summary.submitted_at, summary.version.number) == (
        full.number,
        full.status,
        full.submitted_at,
        full.version.number,
    )
    assert summary.submitted_at.tzinfo is not None


def test_the_write_stores_what_the_draft_holds(educator, draft):
    answer = "Naïve “quotes”, a tab\tand a newline\nin JSON; 😀"
    saved = draft_autosave(submission_id=draft.pk, actor=educator, base_revision=0, changes={"plan.narrative": answer})
    stored = Draft.objects.get(pk=draft.pk)
    assert stored.value("plan.narrative") == answer
    assert stored.revision == saved.draft.revision == 1
    assert stored.field_revisions == {"plan.narrative": 1}
    assert stored.updated_by_id == educator.pk
    assert stored.updated_at == saved.draft.updated_at
    submission = Submission.objects.get(pk=draft.pk)
    assert (submission.status, submission.updated_at) == ("in_progress", stored.updated_at)


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


def test_a_save_within_a_minute_of_the_submission_s_time_writes_the_draft_alone(educator, draft):
    """While someone types, a save writes their draft and nothing else, in one statement and no transaction: the
    submission's time (the dashboard's "last saved", and its order) moves once a minute, and the answers give the
    draft's own time."""
    first = draft_autosave(submission_id=draft.pk, actor=educator, base_revision=0, changes={"plan.narrative": "1"})
    touched = Submission.objects.get(pk=draft.pk).updated_at
    assert touched == first.draft.updated_at  # the first save moves the status, and the time with it
    with CaptureQueriesContext(connection) as queries:
        saved = draft_autosave(submission_id=draft.pk, actor=educator, base_revision=1, changes={"plan.narrative": "2"})
    writes = [sql for sql in _statements(queries) if not sql.startswith("SELECT")]
    assert len(writes) == 1, writes
    assert writes[0].startswith('UPDATE "submissions_draft"'), writes
    stored = Draft.objects.get(pk=draft.pk)
    assert (stored.revision, stored.value("plan.narrative")) == (2, "2")
    assert stored.updated_at > touched
    submission = Submission.objects.get(pk=draft.pk)
    assert submission.updated_at == touched
    assert submission.last_saved_at() == stored.updated_at == saved.last_saved_at()
    body = as_session(educator).get(f"{draft.pk}").json()
    assert parse_datetime(body["updated_at"]) == _to_the_millisecond(stored.updated_at)
    minimal = as_session(educator).patch(
        f"{draft.pk}/responses",
        {"base_revision": 2, "responses": {"plan.narrative": "3"}},
        HTTP_PREFER="return=minimal",
    )
    assert parse_datetime(minimal.json()["updated_at"]) == _to_the_millisecond(
        Draft.objects.get(pk=draft.pk).updated_at
    )


def _to_the_millisecond(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)  # as the API writes times


def test_a_save_moves_the_submission_s_time_once_it_is_a_minute_old(educator, draft):
    draft_autosave(submission_id=draft.pk, actor=educator, base_revision=0, changes={"plan.narrative": "1"})
    old = Submission.objects.get(pk=draft.pk).updated_at - SUBMISSION_TOUCH
    Submission.objects.filter(pk=draft.pk).update(updated_at=old)
    with CaptureQueriesContext(connection) as queries:
        draft_autosave(submission_id=draft.pk, actor=educator, base_revision=1, changes={"plan.narrative": "2"})
    assert any(sql.startswith('UPDATE "submissions_submission"') for sql in _statements(queries))
    submission = Submission.objects.get(pk=draft.pk)
    assert submission.updated_at == Draft.objects.get(pk=draft.pk).updated_at > old
    # Nothing to save: nothing written, the time left as it is.
    Submission.objects.filter(pk=draft.pk).update(updated_at=old)
    draft_autosave(submission_id=draft.pk, actor=educator, base_revision=2, changes={"plan.narrative": "2"})
    assert Submission.objects.get(pk=draft.pk).updated_at == old


def test_the_draft_s_revision_moves_when_it_stops_being_editable_and_only_then(educator, draft):
    draft_autosave(submission_id=draft.pk, actor=educator, base_revision=0, changes={"plan.narrative": "1"})
    complete_portfolio(draft, educator)
    before = Draft.objects.get(pk=draft.pk)
    attempt = attempt_submit(submission=Submission.objects.get(pk=draft.pk), actor=educator)
    after = Draft.objects.get(pk=draft.pk)
    assert after.revision == before.revision + 1
    # Only the revision: the text, its fields' revisions and its time are the draft's as submitted.
    assert (after.responses, after.field_revisions, after.updated_at) == (
        before.responses,
        before.field_revisions,
        before.updated_at,
    )
    assert attempt.responses == after.responses
    attempt_withdraw(attempt=attempt, actor=educator)  # editable again: nothing to fence off
    assert Draft.objects.get(pk=draft.pk).revision == after.revision


def test_who_saved_the_draft_is_written_when_it_changes_and_only_then(educator, educator2, draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    draft_autosave(submission_id=draft.pk, actor=educator, base_revision=0, changes={"plan.narrative": "One"})
    with CaptureQueriesContext(connection) as again:
        draft_autosave(submission_id=draft.pk, actor=educator, base_revision=1, changes={"plan.narrative": "Two"})
    (write,) = [q["sql"] for q in again.captured_queries if q["sql"].startswith('UPDATE "submissions_draft"')]
    assert "updated_by_id" not in write  # the same person: its indexed column is left alone
    assert Draft.objects.get(pk=draft.pk).updated_by_id == educator.pk
    # Last saved by someone else (as a restore or an admin's script may leave it): the next save names its writer.
    Draft.objects.filter(pk=draft.pk).update(updated_by=educator2)
    with CaptureQueriesContext(connection) as changed:
        draft_autosave(submission_id=draft.pk, actor=educator, base_revision=2, changes={"plan.narrative": "Three"})
    (write,) = [q["sql"] for q in changed.captured_queries if q["sql"].startswith('UPDATE "submissions_draft"')]
    assert "updated_by_id" in write
    stored = Draft.objects.get(pk=draft.pk)
    assert (stored.updated_by_id, stored.value("plan.narrative"), stored.revision) == (educator.pk, "Three", 3)


def test_someone_elses_draft_is_not_found_and_untouched(educator, educator2, draft):
    from core.errors import NotFound

    with pytest.raises(NotFound):
        draft_autosave(submission_id=draft.pk, actor=educator2, base_revision=0, changes={"plan.narrative": "x"})
    with pytest.raises(NotFound):
        draft_autosave(submission_id=draft.pk + 1000, actor=educator, base_revision=0, changes={})
    assert Draft.objects.get(pk=draft.pk).revision == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_autosaves_of_one_draft_lose_no_write(educator, portfolio):
    """Two tabs save different fields of one draft at once, many times: each save reads the draft after taking the
    lock, so neither overwrites the other's field with what it read before (on SQLite, the write lock every
    transaction takes as it begins does the same)."""
    from submissions.services import submission_start

    submission, _ = submission_start(educator=educator, credential=portfolio)
    rounds = 15
    problems: list[str] = []
    start = threading.Barrier(2)

    def tab(ref: str) -> None:
        try:
            revision = 0
            start.wait()
            for number in range(rounds):
                # Each tab bases a save on the revision its last one answered, as the page does: the other tab's
                # saves in between changed another field, so they merge rather than conflict.
                saved = draft_autosave(
                    submission_id=submission.pk,
                    actor=educator,
                    base_revision=revision,
                    changes={ref: f"{ref} {number}"},
                )
                revision = saved.draft.revision
        except Exception as error:  # reported by the assertion below rather than lost in the thread
            problems.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(ref,)) for ref in ("plan.narrative", "plan.lesson_plan")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert problems == []
    stored = Draft.objects.get(pk=submission.pk)
    assert stored.value("plan.narrative") == f"plan.narrative {rounds - 1}"
    assert stored.value("plan.lesson_plan") == f"plan.lesson_plan {rounds - 1}"
    assert stored.revision == 2 * rounds


@pytest.mark.django_db(transaction=True)
def test_the_compiled_lock_is_refused_outside_a_transaction(educator, portfolio):
    from submissions.services import submission_start

    submission, _ = submission_start(educator=educator, credential=portfolio)
    with transaction.atomic():
        assert _AUTOSAVE_LOCK.one(submission.pk, educator.pk) is not None  # its SQL is built here, in a transaction
    # Run again from that SQL: the ORM's own check (made when it builds the SQL) must still be made.
    with pytest.raises(TransactionManagementError):
        _AUTOSAVE_LOCK.one(submission.pk, educator.pk)


@contextmanager
def _another_process_saving() -> Iterator[None]:
    """Holds the database's writers' lock file as another server process does while its autosave runs: through an
    open file of its own, so this process's autosaves meet it as they would another process's."""
    handle = os.open(turn_file_path(str(connection.settings_dict["NAME"])), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock


def _autosave_in_thread(
    submission: Submission,
    educator: Any,
    *,
    atomic: bool = False,
    base_revision: int = 0,
    changes: dict[str, str] | None = None,
) -> tuple[Any, list[Any]]:
    """A save started on a thread of its own (its own connection); `outcome` gets the saved submission or the error."""
    outcome: list[Any] = []

    def save() -> None:
        try:
            with transaction.atomic() if atomic else nullcontext():
                outcome.append(
                    draft_autosave(
                        submission_id=submission.pk,
                        actor=educator,
                        base_revision=base_revision,
                        changes=changes or {"plan.narrative": "Saved in turn."},
                    )
                )
        except Exception as error:  # reported by the assertions rather than lost in the thread
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=save)
    thread.start()
    return thread, outcome


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_an_autosave_waits_for_another_process_s_turn_then_saves(educator, portfolio):
    """Two server processes' autosaves queue on the writers' lock file rather than in SQLite's busy handler: while
    another process holds it, a save waits (it neither fails nor writes), and it saves as soon as the other is done."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL queues writers on the rows' locks")
    from submissions.services import submission_start

    submission, _ = submission_start(educator=educator, credential=portfolio)
    # Kept out of the database's folder, where every test run makes a database of its own.
    assert os.path.dirname(turn_file_path(str(connection.settings_dict["NAME"]))) == tempfile.gettempdir()
    with _another_process_saving():
        thread, outcome = _autosave_in_thread(submission, educator)
        time.sleep(0.5)
        assert thread.is_alive()
        assert outcome == []
        assert Draft.objects.get(pk=submission.pk).revision == 0
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert [type(result) for result in outcome] == [Submission], outcome
    stored = Draft.objects.get(pk=submission.pk)
    assert (stored.revision, stored.value("plan.narrative")) == (1, "Saved in turn.")


@pytest.mark.django_db(transaction=True)
def test_an_autosave_inside_an_open_transaction_takes_no_turn(educator, portfolio):
    """Inside a transaction that has begun, the write lock is already this connection's (SQLite) or the queue is
    the row lock (PostgreSQL): waiting for the lock file there could only stall, so the save goes straight on."""
    from submissions.services import submission_start

    submission, _ = submission_start(educator=educator, credential=portfolio)
    with _another_process_saving():
        thread, outcome = _autosave_in_thread(submission, educator, atomic=True)
        thread.join(timeout=10)
        assert not thread.is_alive(), "the save waited for the lock file inside its transaction"
    assert [type(result) for result in outcome] == [Submission], outcome
    assert Draft.objects.get(pk=submission.pk).revision == 1


@contextmanager
def _writes_held(submission: Submission) -> Iterator[None]:
    """Holds back every autosave's write of `submission` while the block runs, as another writer does: on SQLite
    another process's turn at the writers' lock file, on PostgreSQL another transaction's lock on the draft's row
    (every save writes it, with the submission's row or without). What an autosave reads takes no lock, so it reads
    before the block ends."""
    if connection.vendor == "sqlite":
        with _another_process_saving():
            yield
        return
    with transaction.atomic():
        Draft.objects.select_for_update().get(pk=submission.pk)
        yield


@pytest.mark.django_db(transaction=True)
def test_a_save_merged_from_a_draft_that_changed_before_its_write_is_merged_again(educator, portfolio):
    """An autosave reads the draft without a lock and writes only where the revision is still the one it read: when
    another save lands between its read and its write, nothing of the stale merge is written, and the save is made
    again under the lock, on top of the other (neither field lost)."""
    from submissions.services import submission_start

    submission, _ = submission_start(educator=educator, credential=portfolio)
    draft_autosave(submission_id=submission.pk, actor=educator, base_revision=0, changes={"plan.narrative": "First."})
    with _writes_held(submission):
        thread, outcome = _autosave_in_thread(
            submission, educator, base_revision=1, changes={"plan.lesson_plan": "Mine."}
        )
        time.sleep(0.5)
        # The other tab's save has read revision 1 and waits to write; it has written nothing.
        assert thread.is_alive()
        assert Draft.objects.get(pk=submission.pk).revision == 1
        # Meanwhile this tab's save lands, inside a transaction of its own: on SQLite one that has begun takes no
        # turn at the lock file held above; on PostgreSQL, nested in the one holding the row, it commits first.
        with transaction.atomic():
            draft_autosave(
                submission_id=submission.pk, actor=educator, base_revision=1, changes={"plan.narrative": "Theirs."}
            )
        assert Draft.objects.get(pk=submission.pk).revision == 2
    thread.join(timeout=30)
    assert not thread.is_alive()
    # Merged again on revision 2: revision 3, with both tabs' fields; the stale merge (revision 2 with the
    # narrative as "First.") was never written.
    assert [type(result) for result in outcome] == [Submission], outcome
    assert outcome[0].draft.revision == 3
    stored = Draft.objects.get(pk=submission.pk)
    assert (stored.value("plan.narrative"), stored.value("plan.lesson_plan")) == ("Theirs.", "Mine.")
    assert stored.field_revisions == {"plan.narrative": 2, "plan.lesson_plan": 3}


@pytest.mark.django_db(transaction=True)
def test_a_submit_between_an_autosave_s_read_and_its_write_refuses_the_save(educator, portfolio):
    """A save that read the draft while it was editable, and writes it (the draft alone) after a submit, finds the
    revision the submit moved: nothing is written after the submission, and the save is refused as any save of a
    submitted draft is. What was submitted is what the draft holds."""
    from core.errors import InvalidState
    from submissions.services import submission_start

    submission, _ = submission_start(educator=educator, credential=portfolio)
    draft_autosave(submission_id=submission.pk, actor=educator, base_revision=0, changes={"plan.narrative": "First."})
    complete_portfolio(submission, educator)
    before = Draft.objects.get(pk=submission.pk)
    revision = before.revision
    with _writes_held(submission):
        thread, outcome = _autosave_in_thread(
            submission, educator, base_revision=revision, changes={"plan.narrative": "Typed after."}
        )
        time.sleep(0.5)
        assert thread.is_alive()
        # The submit lands meanwhile, in a transaction that has begun (see the test above).
        with transaction.atomic():
            attempt = attempt_submit(submission=Submission.objects.get(pk=submission.pk), actor=educator)
    thread.join(timeout=30)
    assert [type(result) for result in outcome] == [InvalidState], outcome
    stored = Draft.objects.get(pk=submission.pk)
    assert stored.responses == before.responses
    assert Attempt.objects.get(pk=attempt.pk).responses == stored.responses


@pytest.mark.django_db(transaction=True)
def test_an_erasure_between_an_autosave_s_read_and_its_write_is_not_written_over(educator, portfolio):
    """Erasing an account's drafts moves their revisions, so an autosave merged from the draft as it was before
    does not write the erased text back: it is made again on the erased draft."""
    from submissions.services import submission_start
    from submissions.services.erasure import submissions_erase

    submission, _ = submission_start(educator=educator, credential=portfolio)
    draft_autosave(
        submission_id=submission.pk, actor=educator, base_revision=0, changes={"plan.narrative": "Private text."}
    )
    with _writes_held(submission):
        thread, outcome = _autosave_in_thread(
            submission, educator, base_revision=1, changes={"plan.lesson_plan": "Typed."}
        )
        time.sleep(0.5)
        assert thread.is_alive()
        submissions_erase(educator=educator)
    thread.join(timeout=30)
    assert [type(result) for result in outcome] == [Submission], outcome
    stored = Draft.objects.get(pk=submission.pk)
    assert stored.value("plan.narrative") is None
    assert stored.value("plan.lesson_plan") == "Typed."


def test_an_erasure_takes_the_submissions_rows_before_their_drafts_and_attempts(educator, draft):
    """Every service that changes a draft or its attempts locks the submission's row first (services._common): the
    erasure too, so that it cannot deadlock with one that does (an override to earned moves the draft's revision
    while it holds the attempt's row)."""
    from submissions.services.erasure import submissions_erase

    with CaptureQueriesContext(connection) as queries:
        submissions_erase(educator=educator)
    statements = [sql for sql in _statements(queries) if not sql.startswith(("SAVEPOINT", "RELEASE", "BEGIN"))]
    assert statements[0].startswith('SELECT "submissions_submission"."id" AS "pk" FROM "submissions_submission"')
    if connection.features.has_select_for_update:
        assert statements[0].endswith("FOR UPDATE")
