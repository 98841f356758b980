"""Retention of evidence after the decision (workflow.retention): the purge deletes exactly the files whose time
has run out, from storage and its reviewer's copy alike, keeps their rows and records each deletion; the pages
give the date beforehand and say what happened after; a deleted file's download says so."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from html import unescape
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from catalog.models import Credential
from catalog.retention import evidence_retention_days
from catalog.schema import SchemaProblem
from core.models import AuditEvent
from reviews.models import Decision
from submissions.models import Attempt, Evidence, ReviewerCopy, Submission
from submissions.services import evidence_remove, submission_start
from tests.reviews.helpers import open_assignments, review
from tests.submissions.helpers import answers_for, ratings_for, required_uploads, save, upload
from workflow.retention import Purged, evidence_retention, evidence_retention_purge
from workflow.services import attempt_submit, decision_override

CSV = b"period,students\n3,24\n4,27\n"


def submit_with(educator: User, credential: Credential, extra: Iterable[tuple[str, bytes]] = ()) -> Attempt:
    """The educator's first attempt: every required answer and file, plus `extra` evidence files."""
    credential.refresh_from_db()
    assert credential.current_version is not None
    definition = credential.current_version.spec
    submission, _ = submission_start(educator=educator, credential=credential)
    answers = answers_for(definition)
    answers["method.grade_band"] = "middle_school"
    save(submission, educator, answers, ratings_for(definition) or None)
    for field, name, content in required_uploads(definition):
        upload(submission, educator, field, name, content)
    for name, content in extra:
        upload(submission, educator, "evidence.evidence_files", name, content)
    return attempt_submit(submission=Submission.objects.get(pk=submission.pk), actor=educator)


def decide(attempt: Attempt, credential: Credential, *, earned: bool) -> Decision:
    for n, assignment in enumerate(open_assignments(attempt).values()):
        review(assignment, credential, "exemplary", balance="developing" if n == 0 and not earned else None)
    return Decision.objects.get(attempt=attempt)


def stored(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def names_of(items: Iterable[Evidence]) -> set[str]:
    out: set[str] = set()
    for item in items:
        item.refresh_from_db()
        out |= {item.file.name or "", item.reviewer_file.name or ""} - {""}
    return out


def files_of(attempt: Attempt) -> list[Evidence]:
    return list(attempt.evidence_files.order_by("pk"))


def test_the_purge_deletes_exactly_the_files_whose_retention_has_run_out(
    educator, educator2, make_user, classkick, ck_panel, issuer_admin, private_media, django_capture_on_commit_callbacks
):
    def purge(now: datetime) -> list[Purged]:
        # Stored files go once the deletion commits; the test's transaction never does, so run them here.
        with django_capture_on_commit_callbacks(execute=True):
            return evidence_retention_purge(now=now)

    days = timedelta(days=365)
    olive = make_user("olive@example.org", "Olive Educator", email_verified_at=timezone.now())
    ursula = make_user("ursula@example.org", "Ursula Educator", email_verified_at=timezone.now())

    # Edna: attempt 1 not yet earned; she takes the roster (a text file: its reviewer's copy is the stored
    # original itself) out of her draft and resubmits the rest, which goes back into review.
    edna_1 = submit_with(educator, classkick, [("roster.csv", CSV)])
    t1 = decide(edna_1, classkick, earned=False).decided_at
    roster = Evidence.objects.get(attempts=edna_1, original_name="roster.csv")
    assert roster.reviewer_copy == ReviewerCopy.SAME
    assert roster.reviewer_file.name == roster.file.name
    evidence_remove(evidence=roster, actor=educator)
    edna_2 = attempt_submit(submission=Submission.objects.get(pk=edna_1.submission_id), actor=educator)
    carried = files_of(edna_2)
    assert carried
    assert all(item in files_of(edna_1) for item in carried), "carried forward into attempt 2"
    # Eli: earned (his submission closes, so files still marked as in its draft count as out of it).
    eli = submit_with(educator2, classkick, [("plan.csv", CSV)])
    t2 = decide(eli, classkick, earned=True).decided_at
    # Olive: not yet earned (her draft stays open), then overridden to earned: her time counts from the override.
    olive_1 = submit_with(olive, classkick)
    decision = decide(olive_1, classkick, earned=False)
    decision = decision_override(admin=issuer_admin, decision=decision, outcome="earned", reason="Scored in error")
    t4 = decision.overridden_at
    assert t4 is not None
    assert t1 < t2 < decision.decided_at < t4
    # Ursula: her only attempt is still in review.
    ursula_1 = submit_with(ursula, classkick)

    expired_first = [roster]
    eli_files, olive_files = files_of(eli), files_of(olive_1)
    kept = carried + files_of(ursula_1)
    everything = expired_first + eli_files + olive_files + kept
    on_disk = stored(private_media)
    assert names_of(everything) <= on_disk
    roster_stored = names_of([roster])
    assert len(roster_stored) == 1, "a text file and its reviewer's copy share one stored name"
    assert evidence_retention(evidence_ids=[i.pk for i in kept]) == {}

    # Edna's attempt 1 page gives the roster's date beside it; the files she submitted again have none yet.
    edna_page = reverse("submissions:attempt", args=[edna_1.submission_id, 1])
    roster_on = timezone.localdate(t1 + days)
    html = words_of(as_user(educator).get(edna_page))
    assert f"Your evidence files will be deleted from {roster_on.day} {roster_on:%B %Y}, each on the date" in html
    assert re.search(rf"roster\.csv \([^)]*\), to be deleted on {roster_on.day} {roster_on:%B %Y}", html)
    assert "Files still in your draft, or submitted again in an attempt not decided yet, are kept until 365" in html

    # A moment before the first file's time runs out, nothing goes.
    assert purge(t1 + days - timedelta(seconds=1)) == []
    assert stored(private_media) == on_disk

    # The roster's time runs from the decision on attempt 1, the only one that includes it: it goes, original and
    # (shared) reviewer's copy alike; Eli's and Olive's later decisions keep theirs.
    gone = purge(t1 + days + (t2 - t1) / 2)
    assert [p.evidence_id for p in gone] == [roster.pk]
    assert stored(private_media) == on_disk - roster_stored
    html = words_of(as_user(educator).get(edna_page))
    assert re.search(r"roster\.csv \([^)]*\): deleted on .* under the retention policy", html)
    assert "Your evidence files are kept while they are in your draft" in html
    # Olive's not yet earned decision (before Eli's) does not count: the override does.
    gone = purge(t4 + days - timedelta(microseconds=1))
    assert {p.evidence_id for p in gone} == {i.pk for i in eli_files}
    gone = purge(t4 + days)
    assert {p.evidence_id for p in gone} == {i.pk for i in olive_files}

    # Years later, what is in a draft or an undecided attempt is still there, and so is every other file.
    later = t4 + 10 * days
    assert purge(later) == []
    assert purge(later) == [], "running again deletes nothing more"
    deleted = expired_first + eli_files + olive_files
    assert stored(private_media) == names_of(kept)
    for item in deleted:
        item.refresh_from_db()
        assert (item.file.name, item.reviewer_file.name) == ("", "")
        assert (bool(item.original_name), bool(item.size), len(item.sha256)) == (True, True, 64), "metadata stays"
    events = AuditEvent.objects.filter(action="evidence.files_deleted").order_by("subject_id")
    assert [(e.subject_id, e.new) for e in events] == sorted((i.pk, "retention") for i in deleted)
    roster_event = events.get(subject_id=roster.pk)
    assert (roster_event.data["stored_files"], roster_event.data["attempt"]) == (1, edna_1.pk)
    assert roster_event.issuer_id == classkick.issuer_id
    assert "roster" not in str(roster_event.data), "a file's name can name a person: the log keeps its hash"
    assert Evidence.objects.filter(pk__in=[i.pk for i in kept], file="").count() == 0


# ----- pages, downloads, the command ---------------------------------------------------------------------


def words_of(response: Any) -> str:
    text = " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split())
    return re.sub(r" ([:.,])", r"\1", text)


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_educator_is_told_the_date_and_then_what_was_deleted(
    educator2, classkick, ck_panel, issuer_admin, private_media, django_capture_on_commit_callbacks
):
    attempt = submit_with(educator2, classkick)
    page = reverse("submissions:attempt", args=[attempt.submission_id, attempt.number])
    eli = as_user(educator2)
    assert "will be deleted" not in words_of(eli.get(page)), "no date before the decision"

    decided_at = decide(attempt, classkick, earned=True).decided_at
    when = timezone.localdate(decided_at + timedelta(days=365))
    date_words = f"{when.day} {when:%B %Y}"
    assert f"Your evidence files will be deleted on {date_words}, under the retention policy." in words_of(
        eli.get(page)
    )
    assert f"Your evidence files will be deleted on {date_words}" in words_of(
        eli.get(reverse("submissions:detail", args=[attempt.submission_id]))
    )
    record = as_user(issuer_admin).get(reverse("reviews:attempt_record", args=[attempt.pk]))
    assert f"The candidate's evidence files will be deleted on {date_words}" in words_of(record)

    # A year and a day later (the decision moved back rather than the clock forward), the daily command runs.
    Decision.objects.filter(attempt=attempt).update(decided_at=decided_at - timedelta(days=366))
    out = StringIO()
    call_command("evidence_retention_purge", "--dry-run", stdout=out)
    assert out.getvalue().endswith("1 evidence file would delete\n")
    assert stored(private_media)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("evidence_retention_purge", stdout=out)
    (item,) = files_of(attempt)
    assert f"deleted evidence {item.pk} of submission {attempt.submission_id}" in out.getvalue()
    assert stored(private_media) == set()

    today = timezone.localdate()
    html = words_of(eli.get(page))
    assert re.search(
        rf"{re.escape(item.original_name)} \([^)]*\): deleted on {today.day} {today:%B %Y} under the", html
    )
    assert reverse("submissions:evidence", args=[item.pk]) not in eli.get(page).content.decode()
    download = eli.get(reverse("submissions:evidence", args=[item.pk]))
    assert download.status_code == 410
    assert f"{item.original_name} was deleted on {today.day} {today:%B %Y} under the retention policy" in words_of(
        download
    )
    api = eli.get(reverse("api-v1:submission_evidence_file", args=[item.pk]))
    assert api.status_code == 410
    assert "under the retention policy" in api.json()["detail"]


# ----- the definition and the platform default -----------------------------------------------------------


def test_each_definition_sets_its_period_and_the_page_marks_the_platform_draft(classkick, settings, client):
    assert classkick.current_version is not None
    spec = classkick.current_version.spec
    assert (spec.retention.evidence_days_after_decision, spec.retention.draft) == (365, True)
    html = client.get(reverse("catalog:detail", args=[classkick.slug])).content.decode()
    line = re.search(r'<li class="retention">(.*?)</li>', html, re.S)
    assert line is not None
    assert "kept for 365 days after the decision" in line.group(1)
    assert "draft-note" in line.group(1)

    settings.EVIDENCE_RETENTION_DAYS = 30
    unset = spec.model_copy(
        update={"retention": spec.retention.model_copy(update={"evidence_days_after_decision": None})}
    )
    assert evidence_retention_days(unset) == 30
    assert evidence_retention_days(spec) == 365
    with pytest.raises((SchemaProblem, ValueError), match="evidence_days_after_decision"):
        type(spec).model_validate(
            {**classkick.current_version.definition, "retention": {"evidence_days_after_decision": 0}}
        )
