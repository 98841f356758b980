"""The pipeline's bulk actions by persona and by effect: extend the deadline, reassign, remind; previewed on a
confirmation page before anything changes, each change audited with the admin, refusals named."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.db.models import F
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReviewerProfile, ReviewerRole
from core.errors import InvalidInput
from core.models import AuditEvent
from notifications.models import Notification, NotificationKind
from reviews.models import Assignment, AssignmentState
from reviews.services.bulk import bulk_run
from tests.reviews.helpers import submit_attempt

BULK = "/reviews/admin/bulk/"


def as_user(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split())


@pytest.fixture
def two(educator, educator2, classkick, ck_panel, issuer_admin):
    return [submit_attempt(educator, classkick), submit_attempt(educator2, classkick)]


@pytest.fixture
def foreign(make_user, educators_rising, er_panel):
    teacher = make_user("faye@example.org", "Faye Foreign", email_verified_at=timezone.now())
    return submit_attempt(teacher, educators_rising)


def _due(attempts):
    return dict(Assignment.objects.filter(attempt__in=attempts, state=AssignmentState.OPEN).values_list("pk", "due_at"))


# ----- the services ---------------------------------------------------------------------------------------------


def test_extending_moves_every_open_review_due_date_and_audits_each_with_the_admin(two, issuer_admin):
    before = _due(two)
    assert len(before) == 8
    report = bulk_run(admin=issuer_admin, action="extend", attempt_ids=[a.pk for a in two], days=7, apply=True)
    after = _due(two)
    assert {pk: after[pk] - due for pk, due in before.items()} == dict.fromkeys(before, timedelta(days=7))
    assert len(report.done) == 8
    assert not report.refused
    events = AuditEvent.objects.filter(action="assignment.deadline_extended")
    assert sorted(events.values_list("subject_id", flat=True)) == sorted(before)
    assert set(events.values_list("actor_id", flat=True)) == {issuer_admin.pk}


def test_a_preview_says_what_would_happen_and_changes_nothing(two, issuer_admin):
    before = _due(two)
    report = bulk_run(admin=issuer_admin, action="extend", attempt_ids=[a.pk for a in two], days=3, apply=False)
    assert not report.applied
    assert len(report.done) == 8
    assert all("now" in line.detail for line in report.done)
    assert _due(two) == before
    assert not AuditEvent.objects.filter(action="assignment.deadline_extended").exists()


@pytest.mark.parametrize("days", [None, 0, 61])
def test_days_outside_1_to_60_are_refused_naming_the_field(two, issuer_admin, days):
    with pytest.raises(InvalidInput) as refusal:
        bulk_run(admin=issuer_admin, action="extend", attempt_ids=[two[0].pk], days=days, apply=True)
    assert [e.field for e in refusal.value.errors] == ["days"]


def test_a_list_holding_another_issuers_attempt_is_refused_whole_with_404(two, foreign, issuer_admin):
    before = _due(two)
    with pytest.raises(Http404):
        bulk_run(admin=issuer_admin, action="extend", attempt_ids=[two[0].pk, foreign.pk], days=7, apply=True)
    assert _due(two) == before


def test_reassigning_moves_what_the_reviewer_may_take_and_names_each_refusal(
    two, issuer_admin, make_reviewer, classkick, ck_panel
):
    sue = make_reviewer(
        "sue@classkick.example", ReviewerRole.Kind.ISSUER_STAFF, classkick, name="Sue Staff", capacity=9
    )
    report = bulk_run(
        admin=issuer_admin,
        action="reassign",
        attempt_ids=[a.pk for a in two],
        to_reviewer="sue@classkick.example",
        reason="Sam and Sid are away this month",
        apply=True,
    )
    # Sue takes one staff seat of each attempt; the second staff seat would put her twice on one panel, and a
    # mentor's seat is not hers to take: each of those is reported by the reviewer's name, with the reason.
    assert len(report.done) == 2
    assert Assignment.objects.filter(reviewer=sue, state=AssignmentState.OPEN).count() == 2
    refused = {(line.candidate, line.reviewer) for line in report.refused}
    assert len(refused) == 6
    assert {who for _, who in refused} >= {"Mia Mentor", "Max Mentor"}
    assert all(line.detail for line in report.refused)
    assert AuditEvent.objects.filter(action="assignment.reassigned", actor=issuer_admin).count() == 2


def test_reassigning_needs_a_reviewer_and_a_reason(two, issuer_admin):
    with pytest.raises(InvalidInput) as refusal:
        bulk_run(admin=issuer_admin, action="reassign", attempt_ids=[two[0].pk], reason="x", apply=True)
    assert [e.field for e in refusal.value.errors] == ["to_reviewer"]
    with pytest.raises(InvalidInput) as refusal:
        bulk_run(
            admin=issuer_admin,
            action="reassign",
            attempt_ids=[two[0].pk],
            to_reviewer="sam@classkick.example",
            apply=True,
        )
    assert [e.field for e in refusal.value.errors] == ["reason"]


def test_reminding_emails_each_reviewer_once_a_day_at_most(two, issuer_admin, ck_panel):
    reminders = Notification.objects.filter(kind=NotificationKind.REVIEW_REMINDER)
    first = bulk_run(admin=issuer_admin, action="remind", attempt_ids=[two[0].pk], apply=True)
    assert len(first.done) == 4
    assert reminders.count() == 4
    assert set(reminders.values_list("user_id", flat=True)) == {u.pk for u in ck_panel.values()}
    again = bulk_run(admin=issuer_admin, action="remind", attempt_ids=[a.pk for a in two], apply=True)
    assert len(again.done) == 4  # only the second attempt's reviews
    assert {line.detail for line in again.refused} == {"already reminded in the last 24 hours"}
    assert len(again.refused) == 4
    assert reminders.count() == 8
    assert AuditEvent.objects.filter(action="assignment.reminded", actor=issuer_admin).count() == 8


def test_an_attempt_with_no_open_review_is_reported_not_skipped(two, issuer_admin):
    Assignment.objects.filter(attempt=two[0]).update(state=AssignmentState.SUBMITTED)
    report = bulk_run(admin=issuer_admin, action="remind", attempt_ids=[a.pk for a in two], apply=False)
    [line] = [line for line in report.refused if line.attempt_id == two[0].pk]
    assert line.detail == "has no open review"


# ----- the pages ------------------------------------------------------------------------------------------------


def test_the_pipeline_offers_a_box_per_attempt_under_review_and_the_actions_in_fieldsets(two, issuer_admin):
    response = as_user(issuer_admin).get(reverse("reviews:pipeline"))
    html = response.content.decode()
    for attempt in two:
        assert f'name="attempt" value="{attempt.pk}" id="choose-{attempt.pk}"' in html
        assert (
            f'<label for="choose-{attempt.pk}">Choose<span class="visually-hidden"> C-{attempt.submission_id}' in html
        )
    assert "<legend>Attempts under review: tick those to act on together</legend>" in html
    assert "<legend>What to do with the ticked attempts</legend>" in html
    assert f'action="{BULK}"' in html
    assert 'href="/issuers/classkick/exports/">exports of Classkick</a>' in html


def test_extending_from_the_pipeline_shows_what_will_happen_then_does_it_on_confirm(two, issuer_admin):
    client = as_user(issuer_admin)
    before = _due(two)
    query = f"?attempt={two[0].pk}&attempt={two[1].pk}&action=extend&days=5"
    confirm = client.get(BULK + query)
    assert confirm.status_code == 200
    text = words(confirm)
    assert "What will happen" in text
    assert "8 reviews will change" in text
    assert "Sam Staff" in text
    assert _due(two) == before  # nothing yet

    done = client.post(BULK, {"attempt": [two[0].pk, two[1].pk], "action": "extend", "days": "5"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("reviews:pipeline")
    assert "8 reviews: deadline extended." in words(done)
    assert all(_due(two)[pk] - due == timedelta(days=5) for pk, due in before.items())


def test_reassign_asks_for_the_reviewer_and_reason_then_names_the_refused_reviews(
    two, issuer_admin, make_reviewer, classkick
):
    make_reviewer("sue@classkick.example", ReviewerRole.Kind.ISSUER_STAFF, classkick, name="Sue Staff", capacity=9)
    client = as_user(issuer_admin)
    first = client.get(f"{BULK}?attempt={two[0].pk}&action=reassign&days=7")
    assert first.status_code == 200  # no mistake yet: the reviewer is asked for
    assert "There is a problem" not in words(first)
    assert 'value="sue@classkick.example"' in first.content.decode()

    missing = client.get(f"{BULK}?attempt={two[0].pk}&action=reassign&step=details")
    assert missing.status_code == 422
    assert 'href="#id_to_reviewer"' in missing.content.decode()
    assert 'href="#id_reason"' in missing.content.decode()

    query = f"?attempt={two[0].pk}&action=reassign&step=details&to_reviewer=sue@classkick.example&reason=Away"
    plan = words(client.get(BULK + query))
    assert "1 review will change; 3 will not" in plan
    assert "Mia Mentor" in plan
    done = client.post(
        BULK,
        {"attempt": two[0].pk, "action": "reassign", "to_reviewer": "sue@classkick.example", "reason": "Away"},
        follow=True,
    )
    text = words(done)
    assert "1 review: reassigned." in text
    assert "Not done: Mia Mentor's review of C-" in text


def test_a_page_request_holding_another_issuers_attempt_is_404_and_changes_nothing(two, foreign, issuer_admin):
    client = as_user(issuer_admin)
    before = _due(two)
    assert client.get(f"{BULK}?attempt={two[0].pk}&attempt={foreign.pk}&action=extend&days=5").status_code == 404
    response = client.post(BULK, {"attempt": [two[0].pk, foreign.pk], "action": "extend", "days": "5"})
    assert response.status_code == 404
    assert _due(two) == before


@pytest.mark.parametrize("who", ["other_issuer_admin", "reviewer", "educator"])
def test_anyone_but_the_issuers_admins_gets_404(two, who, request, ck_panel):
    user = ck_panel["sam"] if who == "reviewer" else request.getfixturevalue(who)
    client = as_user(user)
    assert client.get(f"{BULK}?attempt={two[0].pk}&action=extend&days=5").status_code == 404
    assert client.post(BULK, {"attempt": two[0].pk, "action": "extend", "days": "5"}).status_code == 404


def test_a_platform_admin_may_act(two, platform_admin):
    response = as_user(platform_admin).get(f"{BULK}?attempt={two[0].pk}&action=remind")
    assert response.status_code == 200
    assert "4 reviews will change" in words(response)


def test_anonymous_is_sent_to_sign_in(two):
    response = Client().get(f"{BULK}?attempt={two[0].pk}&action=extend&days=5")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("days", "message"), [("0", "Enter at least 1 day"), ("61", "Enter at most 60 days")])
def test_days_out_of_range_are_shown_at_the_field(two, issuer_admin, days, message):
    response = as_user(issuer_admin).get(f"{BULK}?attempt={two[0].pk}&action=extend&days={days}")
    assert response.status_code == 422
    assert 'href="#id_days"' in response.content.decode()
    assert message in words(response)


def test_no_attempt_ticked_goes_back_to_the_pipeline_saying_so(two, issuer_admin):
    response = as_user(issuer_admin).get(f"{BULK}?action=extend&days=5", follow=True)
    assert response.redirect_chain[-1][0] == reverse("reviews:pipeline")
    assert "Choose at least one attempt" in words(response)


def test_the_pipeline_with_its_boxes_and_export_links_keeps_a_flat_query_count(
    two, issuer_admin, make_user, classkick, django_assert_num_queries
):
    ReviewerProfile.objects.update(capacity=20)
    client = as_user(issuer_admin)
    client.get(reverse("reviews:pipeline"))  # a warm session, and a page kept
    # A page drawn again after a change the change log shows (due dates moved), then the same page kept: the kept
    # one is sent on the change log's word, without reading its state; at two sizes the same numbers.
    Assignment.objects.filter(attempt__in=two).update(due_at=F("due_at") + timedelta(minutes=1))
    with CaptureQueriesContext(connection) as drawn:
        client.get(reverse("reviews:pipeline"))
    with CaptureQueriesContext(connection) as kept:
        client.get(reverse("reviews:pipeline"))
    assert len(kept.captured_queries) < len(drawn.captured_queries)
    for n in range(6):
        teacher = make_user(f"teacher{n}@example.org", email_verified_at=timezone.now())
        submit_attempt(teacher, classkick)
    with django_assert_num_queries(len(drawn.captured_queries)):
        html = client.get(reverse("reviews:pipeline")).content.decode()
    with django_assert_num_queries(len(kept.captured_queries)):
        assert client.get(reverse("reviews:pipeline")).status_code == 200
    assert html.count('name="attempt"') == 8
