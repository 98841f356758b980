"""The in-app notifications page and the dashboard's reviewing sections, by persona, with flat query counts."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification, NotificationKind
from notifications.services import notification_send
from tests.reviews.helpers import open_assignments, submit_attempt


def as_user(user) -> Any:  # a Client whose responses carry the test attributes (url, context)
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response) -> str:
    return unescape(response.content.decode())


def words_of(response) -> str:
    text = " ".join(re.sub(r"<[^>]+>", " ", text_of(response)).split())
    return re.sub(r" ([:.,])", r"\1", text)


def tell(user, n: int) -> Notification:
    return notification_send(
        user=user,
        kind=NotificationKind.EXTRA_ATTEMPT_GRANTED,
        context={"credential": f"Credential {n}", "allowed": n},
        url=f"/submissions/{n}/",
    )


def test_the_notifications_page_lists_a_persons_own_notifications_newest_first_with_read_state(educator, educator2):
    first, second = tell(educator, 1), tell(educator, 2)
    tell(educator2, 3)
    response = as_user(educator).get(reverse("notifications:index"))

    assert response.status_code == 200
    html = text_of(response)
    assert "2 unread notifications." in words_of(response)
    assert html.index(second.title) < html.index(first.title)
    assert 'href="/submissions/2/"' in html
    assert 'href="/submissions/3/"' not in html
    assert html.count("Unread</span>") == 2


def test_marking_one_or_all_notifications_read_touches_only_the_persons_own(educator, educator2):
    mine, also_mine, theirs = tell(educator, 1), tell(educator, 2), tell(educator2, 3)
    edna = as_user(educator)

    edna.post(reverse("notifications:mark_read"), {"id": str(theirs.pk)})
    theirs.refresh_from_db()
    assert theirs.read_at is None

    done = edna.post(reverse("notifications:mark_read"), {"id": str(mine.pk)}, follow=True)
    assert "The notification is marked as read." in text_of(done)
    mine.refresh_from_db()
    also_mine.refresh_from_db()
    assert mine.read_at is not None
    assert also_mine.read_at is None
    assert "1 unread notification." in words_of(done)

    bad = edna.post(reverse("notifications:mark_read"), {"id": "abc"}, follow=True)
    assert "could not be found" in text_of(bad)

    everything = edna.post(reverse("notifications:mark_read"), follow=True)
    assert "1 notification marked as read." in text_of(everything)
    assert "You have no unread notifications." in text_of(everything)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_notifications_page_needs_a_signed_in_person_and_only_accepts_posts_to_mark_read(educator):
    for url in (reverse("notifications:index"),):
        response = as_user(None).get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert as_user(None).post(reverse("notifications:mark_read")).status_code == 302
    assert as_user(educator).get(reverse("notifications:mark_read")).status_code == 405


def test_the_notifications_page_keeps_a_flat_query_count_as_notifications_grow(educator, django_assert_num_queries):
    edna = as_user(educator)
    for n in range(3):
        tell(educator, n)
    edna.get(reverse("notifications:index"))
    with CaptureQueriesContext(connection) as few:
        edna.get(reverse("notifications:index"))
    count = len(few.captured_queries)  # read now: the next request resets the connection's query log
    for n in range(3, 40):
        tell(educator, n)
    with django_assert_num_queries(count):
        html = text_of(edna.get(reverse("notifications:index")))
    assert html.count('class="notification notification-unread"') == 40


def test_a_reviewer_is_told_of_an_assignment_in_the_list_and_it_links_to_the_scoring_page(
    educator, classkick, ck_panel, issuer_admin
):
    attempt = submit_attempt(educator, classkick)
    sams = open_assignments(attempt)["sam@classkick.example"]
    html = text_of(as_user(ck_panel["sam"]).get(reverse("notifications:index")))
    assert f'href="{reverse("reviews:score", args=[sams.pk])}"' in html
    assert "Edna" not in html
    assert "Lincoln" not in html


# ----- the dashboard ---------------------------------------------------------------------------------------


def test_the_dashboard_shows_the_unread_count_the_review_queue_and_the_pipeline_by_role(
    educator, classkick, ck_panel, issuer_admin, platform_admin
):
    attempt = submit_attempt(educator, classkick)
    assert open_assignments(attempt)

    reviewer = words_of(as_user(ck_panel["sam"]).get(reverse("accounts:dashboard")))
    assert "1 review to do." in reviewer
    assert "Open your review queue" in reviewer
    assert "Your notifications: 1 unread" in reviewer
    assert "Open the review pipeline" not in reviewer

    edna = words_of(as_user(educator).get(reverse("accounts:dashboard")))
    assert "Your review queue" not in edna
    assert "Open the review pipeline" not in edna
    assert "Your notifications: 1 unread" in edna  # "submission received"

    for admin in (issuer_admin, platform_admin):
        assert "Open the review pipeline" in words_of(as_user(admin).get(reverse("accounts:dashboard")))


@pytest.mark.parametrize("path", ["/notifications/", "/reviews/", "/accounts/dashboard/"])
def test_the_header_links_to_the_notifications_page_for_signed_in_people(educator, ck_panel, path):
    client = as_user(ck_panel["sam"])
    assert f'href="{reverse("notifications:index")}"' in text_of(client.get(path))
