"""Coaching by behaviour: what a coach reads (never student data; files only when allowed), the sharing rules,
the emailed single-use link, comments and their notifications, resolving without JavaScript, bad input, and the
coach's list at a flat query count."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from coaching.models import CoachComment, CoachingShare
from coaching.selectors import coach_draft
from coaching.services import (
    COMMENT_MAX,
    MAX_COACHES,
    coaching_comment_add,
    coaching_erase,
    coaching_share_create,
    coaching_share_files_set,
)
from core.errors import InvalidInput, InvalidState
from notifications.models import Email, Notification, NotificationKind
from notifications.services import notifications_mark_read
from notifications.tasks import email_render
from submissions.models import Evidence
from submissions.services import submission_start
from tests.coaching.conftest import EXPLANATION, SECRET, draft_for
from tests.submissions.test_pages import post_step
from workflow.services import attempt_submit

LINK = re.compile(r"/coaching/invitations/[\w-]+/")


def _draft_page(client: Any, share: CoachingShare) -> str:
    response = client.get(reverse("coaching:draft", args=[share.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _evidence_url(share: CoachingShare, name: str) -> str:
    item = Evidence.objects.get(submission=share.submission, original_name=name)
    return reverse("coaching:evidence", args=[share.pk, item.pk])


def test_the_coach_never_sees_student_data_and_sees_files_only_when_allowed(client, educator, coach, share):
    client.force_login(coach)
    page = _draft_page(client, share)
    assert EXPLANATION in page
    assert "ROSTER-SECRET" not in page
    assert "Ben Okafor" not in page
    assert ">Analysis<" not in page  # the field holding student data is left out whole, its label too
    assert "roster.pdf" not in page  # a file of the field that holds student data (rosters, grades)
    assert "/submissions/evidence/" not in page  # the owner's download is never linked
    assert "hold student data and are not shared with coaches" in page
    assert _evidence_url(share, "interview.wav") in page
    assert "evidence.analysis" not in str(coach_draft(share).responses)
    assert SECRET not in str(coach_draft(share))
    assert client.get(_evidence_url(share, "roster.pdf")).status_code == 404
    download = client.get(_evidence_url(share, "interview.wav"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert "interview" not in download["Content-Disposition"]  # a neutral name, as for anyone but the owner

    # Files not allowed: no link, the file refused, and only a count said.
    coaching_share_files_set(actor=educator, share=share, allowed=False)
    page = _draft_page(client, share)
    assert f"/coaching/drafts/{share.pk}/files/" not in page
    assert "interview.wav" not in page
    assert "1 file is attached that is not shared with you." in page
    assert client.get(_evidence_url(share, "interview.wav")).status_code == 404

    # Allowed again, but the file is marked as showing students: never for a coach.
    coaching_share_files_set(actor=educator, share=share, allowed=True)
    Evidence.objects.filter(original_name="interview.wav").update(student_data=True)
    assert f"/coaching/drafts/{share.pk}/files/" not in _draft_page(client, share)
    assert client.get(_evidence_url(share, "interview.wav")).status_code == 404

    # Nor can a comment be anchored to a field the coach may not read.
    response = client.post(
        reverse("coaching:comment_add", args=[share.pk]), {"field": "evidence.analysis", "body": "Hi"}
    )
    assert response.status_code == 422
    assert not CoachComment.objects.exists()
    with pytest.raises(InvalidInput) as refused:
        coaching_comment_add(actor=coach, share=share, field_ref="evidence.analysis", body="Hi")
    assert refused.value.errors[0].field == "field"


def test_the_sharing_rules(educator, make_user, draft, coach):
    with pytest.raises(InvalidInput, match="your own address") as own:
        coaching_share_create(
            actor=educator, submission=draft, email="EDNA@example.org ", role="mentor", files_allowed=False
        )
    assert own.value.errors[0].field == "email"
    coaching_share_create(actor=educator, submission=draft, email=coach.email, role="mentor", files_allowed=False)
    with pytest.raises(InvalidInput, match=r"already shared with cora@coaches\.example"):
        coaching_share_create(
            actor=educator, submission=draft, email=coach.email, role="colleague", files_allowed=False
        )
    for n in range(MAX_COACHES - 1):
        coaching_share_create(
            actor=educator, submission=draft, email=f"c{n}@example.org", role="other", files_allowed=False
        )
    with pytest.raises(InvalidInput, match=f"at most {MAX_COACHES} coaches"):
        coaching_share_create(
            actor=educator, submission=draft, email="one.more@example.org", role="mentor", files_allowed=False
        )
    # Sharing again with a waiting address sends a new link instead of a second share.
    again = coaching_share_create(
        actor=educator, submission=draft, email="c0@example.org", role="mentor", files_allowed=True
    )
    assert again.resent
    assert CoachingShare.objects.filter(submission=draft).count() == MAX_COACHES
    attempt_submit(submission=draft, actor=educator)
    assert not CoachingShare.objects.filter(submission=draft, ended_at__isnull=True).exists()
    with pytest.raises(InvalidState, match="with reviewers"):
        coaching_share_create(
            actor=educator, submission=draft, email="late@example.org", role="mentor", files_allowed=False
        )


def test_the_share_form_names_the_field_and_keeps_what_was_typed(client, educator, draft):
    client.force_login(educator)
    url = reverse("coaching:submission", args=[draft.pk])
    response = client.post(url, {"email": "edna@example.org", "role": "mentor", "files_allowed": "on"})
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="error-summary"' in page
    assert "this is your own address" in page
    assert 'value="edna@example.org"' in page
    response = client.post(url, {"email": "not an address", "role": "nobody"})
    assert response.status_code == 422
    assert "Enter an email address in the form name@example.org" in response.content.decode()


def test_an_invited_address_accepts_through_the_single_use_link(
    client, educator, draft, make_user, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        coaching_share_create(
            actor=educator, submission=draft, email="New.Coach@Example.org", role="chapter_advisor", files_allowed=False
        )
    [message] = mailoutbox
    assert message.to == ["new.coach@example.org"]
    assert "Edna Educator shares a draft with you for coaching" in message.subject
    assert "as their chapter advisor" in message.body
    assert "works once, for 14 days" in message.body
    found = LINK.search(message.body)
    assert found is not None
    path = found.group(0)

    # Signed out: the page offers sign-in and sign-up, each coming back here; nothing is bound.
    page = client.get(path).content.decode()
    assert f"/accounts/login/?next={path}" in page
    assert f"/accounts/signup/?next={path}" in page
    assert client.post(path).status_code == 200
    # The educator's own link refuses them.
    client.force_login(educator)
    assert client.post(path).status_code == 403
    # Whoever is signed in when accepting becomes the coach (here another address than the invited one).
    nina = make_user("nina@school.example", "Nina Advisor")
    client.force_login(nina)
    response = client.post(path)
    share = CoachingShare.objects.get(submission=draft)
    assert response.status_code == 302
    assert response["Location"] == reverse("coaching:draft", args=[share.pk])
    assert share.coach == nina
    assert share.accepted_at is not None
    assert client.get(response["Location"]).status_code == 200
    # The link works once.
    again = client.get(path)
    assert again.status_code == 410
    assert "works only once" in again.content.decode()


def test_an_expired_link_says_so_and_an_unknown_one_is_404(
    client, educator, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        coaching_share_create(
            actor=educator, submission=draft, email="late@example.org", role="mentor", files_allowed=False
        )
    found = LINK.search(mailoutbox[0].body)
    assert found is not None
    path = found.group(0)
    CoachingShare.objects.update(token_expires_at=timezone.now())
    response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert client.get("/coaching/invitations/not-a-token/").status_code == 404


def test_an_account_is_told_in_app_and_by_email_and_comments_notify_once_per_unread_batch(educator, coach, share):
    [invited] = Notification.objects.filter(user=coach, kind=NotificationKind.COACHING_INVITED)
    assert invited.url == reverse("coaching:draft", args=[share.pk])
    coaching_comment_add(actor=coach, share=share, field_ref="evidence.explanation", body="Who led each meeting?")
    coaching_comment_add(actor=coach, share=share, field_ref="evidence.balance", body="Add the dates.")
    told = Notification.objects.filter(user=educator, kind=NotificationKind.COACHING_COMMENTED)
    assert told.count() == 1
    notifications_mark_read(user=educator)
    coaching_comment_add(actor=coach, share=share, field_ref="evidence.balance", body="And who attended.")
    assert told.count() == 2
    # The emails render in both languages.
    for email in Email.objects.filter(name__startswith="coaching_"):
        for language in ("en", "es"):
            with translation.override(language):
                subject, text, html = email_render(name=email.name, context=email.context)
            assert subject
            assert "http" in text
            assert "<html" in html


def test_a_comment_too_long_or_empty_is_refused_by_name_and_kept(client, coach, share):
    client.force_login(coach)
    url = reverse("coaching:comment_add", args=[share.pk])
    long = "x" * (COMMENT_MAX + 1)
    response = client.post(url, {"field": "evidence.explanation", "body": long})
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="error-summary"' in page
    assert "Explanation/Evidence of Collaboration: Keep the comment to 2000 characters" in page
    assert long in page  # what was typed is kept in its box
    response = client.post(url, {"field": "evidence.explanation", "body": "   "})
    assert response.status_code == 422
    assert "Write your comment before sending it" in response.content.decode()
    assert not CoachComment.objects.exists()


def test_the_educator_resolves_beside_the_answer_without_javascript(client, educator, coach, share):
    comment = coaching_comment_add(
        actor=coach, share=share, field_ref="evidence.explanation", body="Who led each meeting?"
    )
    client.force_login(educator)
    step = reverse("submissions:part", args=[share.submission_id, "evidence"])
    page = client.get(step).content.decode()
    assert "Who led each meeting?" in page
    # The button is one of the step form's own: pressing it saves what was typed on the step, then resolves.
    assert f'name="action" value="resolve_comment:{comment.pk}"' in page
    typed = "Typed after the page loaded, never autosaved: pressing Resolve must not lose it."
    response = post_step(client, step, {"evidence.explanation": typed}, action=f"resolve_comment:{comment.pk}")
    assert response.status_code == 302
    assert response["Location"] == step
    share.submission.draft.refresh_from_db()
    assert share.submission.draft.responses["evidence"]["explanation"] == typed
    comment.refresh_from_db()
    assert comment.resolved_at is not None
    assert comment.resolved_by == educator
    assert "Who led each meeting?" not in client.get(step).content.decode()
    # Resolving again (from the Coaching page) changes nothing; that page lists it as resolved.
    client.post(reverse("coaching:resolve"), {"comment": comment.pk, "from": "coaching"})
    page = client.get(reverse("coaching:submission", args=[share.submission_id])).content.decode()
    assert "1 resolved comment" in page


def test_the_coachs_list_reads_in_flat_queries(client, make_user, classkick, coach):
    def share_more(upto: int) -> None:
        for n in range(CoachingShare.objects.filter(coach=coach).count(), upto):
            educator = make_user(f"e{n}@example.org", f"Educator {n}", email_verified_at=timezone.now())
            submission, _ = submission_start(educator=educator, credential=classkick)
            coaching_share_create(
                actor=educator, submission=submission, email=coach.email, role="mentor", files_allowed=False
            )

    def read() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("coaching:index")).content.decode()
        return len(queries), page

    client.force_login(coach)
    share_more(3)
    few, page = read()
    assert page.count('class="card"') == 3
    assert "Next page" not in page
    share_more(30)
    many, page = read()
    assert page.count('class="card"') == 25
    assert "Next page" in page
    assert few == many
    assert client.get(reverse("coaching:index") + "?page=2").content.decode().count('class="card"') == 5


def test_erasing_a_coach_ends_their_shares_and_erases_their_words(educator, coach, share):
    comment = coaching_comment_add(actor=coach, share=share, field_ref="evidence.balance", body="Cora thinks so.")
    assert coaching_erase(user=coach) == {"deleted": 0, "ended": 1, "comments": 1}
    share.refresh_from_db()
    comment.refresh_from_db()
    assert share.revoked_at is not None
    assert coach.email not in share.email
    assert "Cora" not in comment.body
    assert coaching_erase(user=educator)["deleted"] == 2  # the share and, with it, the comment
    assert not CoachComment.objects.exists()


def test_an_educators_rising_draft_reads_without_its_learners_needs(client, educator2, educators_rising, coach):
    draft = draft_for(educator2, educators_rising)
    needs = draft.draft.responses["overview"]["learner_needs"]
    share = coaching_share_create(
        actor=educator2, submission=draft, email=coach.email, role="colleague", files_allowed=True
    ).share
    client.force_login(coach)
    page = _draft_page(client, share)
    assert needs not in page
    assert "Your learners and their needs" not in page
    assert "Planning" in page or "planning" in page  # the list of planning interactions is there
