"""Who may open each coaching page, by persona: the coach of this draft, the coach of another draft, a revoked
coach, the coach after the draft was submitted, the owner educator, another educator, a reviewer, the issuer's
admin, another issuer's admin, a platform admin and anonymous visitors. Anyone not entitled gets 404 and changes
nothing; the coach of a share that is over gets a 410 page saying why, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from coaching.models import CoachComment, CoachingShare
from coaching.services import coaching_comment_add, coaching_share_revoke
from submissions.models import Evidence
from tests.coaching.conftest import persona
from workflow.services import attempt_submit

OUTSIDERS = ["educator2", "reviewer_staff", "issuer_admin", "other_issuer_admin", "platform_admin", "other_coach"]


def _file(share: CoachingShare) -> Evidence:
    return Evidence.objects.get(submission=share.submission, original_name="interview.wav")


def coach_urls(share: CoachingShare) -> list[tuple[str, str]]:
    return [
        ("get", reverse("coaching:draft", args=[share.pk])),
        ("post", reverse("coaching:comment_add", args=[share.pk])),
        ("get", reverse("coaching:evidence", args=[share.pk, _file(share).pk])),
    ]


def educator_urls(share: CoachingShare, comment: CoachComment) -> list[tuple[str, str]]:
    return [
        ("get", reverse("coaching:submission", args=[share.submission_id])),
        ("post", reverse("coaching:submission", args=[share.submission_id])),
        ("post", reverse("coaching:revoke", args=[share.pk])),
        ("post", reverse("coaching:files", args=[share.pk])),
        ("post", reverse("coaching:resolve")),
    ]


def _call(client: Any, method: str, url: str, comment: CoachComment) -> Any:
    data = {"field": "evidence.explanation", "body": "A try", "email": "x@example.org", "role": "mentor"}
    data.update({"allowed": "no", "comment": str(comment.pk)})
    return getattr(client, method)(url, data) if method == "post" else client.get(url)


@pytest.fixture
def comment(share: CoachingShare, coach: Any) -> CoachComment:
    return coaching_comment_add(actor=coach, share=share, field_ref="evidence.explanation", body="Say who led.")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_anyone_but_the_coach_and_the_owner_gets_404_everywhere_and_changes_nothing(
    client, request, who, share, comment
):
    client.force_login(persona(request, who))
    for method, url in coach_urls(share) + educator_urls(share, comment):
        assert _call(client, method, url, comment).status_code == 404, (who, method, url)
    # Their own list of drafts opens, without this one.
    index = client.get(reverse("coaching:index"))
    assert index.status_code == 200
    assert reverse("coaching:draft", args=[share.pk]) not in index.content.decode()
    share.refresh_from_db()
    comment.refresh_from_db()
    assert share.is_open
    assert share.files_allowed
    assert comment.resolved_at is None
    assert CoachComment.objects.count() == 1
    assert CoachingShare.objects.filter(submission=share.submission).count() == 1


def test_the_owner_gets_404_on_the_coach_pages_and_the_coach_on_the_owners(client, educator, coach, share, comment):
    client.force_login(educator)
    for method, url in coach_urls(share):
        assert _call(client, method, url, comment).status_code == 404, url
    client.force_login(coach)
    for method, url in educator_urls(share, comment):
        assert _call(client, method, url, comment).status_code == 404, url
    comment.refresh_from_db()
    assert comment.resolved_at is None
    assert CoachComment.objects.count() == 1


def test_the_coach_and_the_owner_reach_their_pages(client, educator, coach, share, comment):
    client.force_login(coach)
    assert client.get(reverse("coaching:index")).status_code == 200
    assert client.get(reverse("coaching:draft", args=[share.pk])).status_code == 200
    assert client.get(reverse("coaching:evidence", args=[share.pk, _file(share).pk])).status_code == 200
    client.force_login(educator)
    assert client.get(reverse("coaching:submission", args=[share.submission_id])).status_code == 200
    assert client.get(reverse("submissions:part", args=[share.submission_id, "evidence"])).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, share, comment):
    for method, url in coach_urls(share) + educator_urls(share, comment) + [("get", reverse("coaching:index"))]:
        response = _call(client, method, url, comment)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url


def test_a_revoked_coach_gets_a_clear_page_at_once(client, educator, coach, share, comment):
    client.force_login(coach)
    assert client.get(reverse("coaching:draft", args=[share.pk])).status_code == 200
    coaching_share_revoke(actor=educator, share=share)
    for method, url in coach_urls(share):
        response = _call(client, method, url, comment)
        assert response.status_code == 410, url
        if method == "get" and "files" not in url:
            assert "Edna Educator stopped sharing this draft with you" in response.content.decode()
    assert CoachComment.objects.count() == 1
    page = client.get(reverse("coaching:index")).content.decode()
    assert reverse("coaching:draft", args=[share.pk]) not in page


def test_after_submit_the_coach_is_told_the_draft_was_submitted(client, educator, coach, share, comment):
    client.force_login(coach)
    attempt_submit(submission=share.submission, actor=educator)
    share.refresh_from_db()
    assert share.ended_at is not None  # workflow marks it, and the selector would refuse even without it
    for method, url in coach_urls(share):
        response = _call(client, method, url, comment)
        assert response.status_code == 410, url
    page = client.get(reverse("coaching:draft", args=[share.pk])).content.decode()
    assert "This draft was submitted for review, so coaching on it has ended" in page
    # The educator keeps their Coaching page and its comments, and can no longer share.
    client.force_login(educator)
    page = client.get(reverse("coaching:submission", args=[share.submission_id])).content.decode()
    assert "Say who led." in page
    assert "cannot be shared for coaching" in page


def test_a_share_is_over_once_an_attempt_is_made_even_unmarked(client, educator, coach, share):
    # As if workflow had not marked it: the attempt made after the share is enough.
    attempt_submit(submission=share.submission, actor=educator)
    CoachingShare.objects.filter(pk=share.pk).update(ended_at=None)
    client.force_login(coach)
    assert client.get(reverse("coaching:draft", args=[share.pk])).status_code == 410
