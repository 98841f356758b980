"""The dashboard is kept whole while nothing it shows changes (pages/accounts/dashboard_state.py): every change to
what a panel shows is on the very next view, whether its part of the state is read on every view or watched by the
change log, and a page kept for one person is never shown to another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import IssuerMembership, User
from accounts.services import profile_update
from awards.models import Partner, PartnerMembership
from catalog.models import Issuer
from core import changes
from notifications.models import Notification, NotificationKind
from pages.accounts.dashboard_state import PANELS, dashboard_state
from submissions.services import submission_start

DASHBOARD = reverse("accounts:dashboard")

pytestmark = pytest.mark.django_db


def _view(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def _kept(client) -> str:
    """The dashboard viewed twice: the second view is the kept page (fewer queries), with the same content."""
    first, drawn = _view(client)
    second, kept = _view(client)
    assert kept < drawn
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", second) == strip.sub("", first)
    return second


def test_a_new_submission_is_on_the_next_view(client, educator, classkick):
    client.force_login(educator)
    assert "You have not started a micro-credential yet." in _kept(client)
    submission_start(educator=educator, credential=classkick)
    html, _ = _view(client)
    assert "You have not started a micro-credential yet." not in html
    assert classkick.title in html


def test_a_new_notification_and_its_reading_are_on_the_next_view(client, educator):
    client.force_login(educator)
    assert "none unread" in _kept(client)
    note = Notification.objects.create(user=educator, kind=NotificationKind.ATTEMPT_SUBMITTED, title="Received")
    assert "1 unread" in _view(client)[0]
    Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    assert "none unread" in _view(client)[0]


def test_becoming_partner_staff_is_on_the_next_view(client, educator):
    client.force_login(educator)
    assert "Graduate credit applications" not in _kept(client)
    partner = Partner.objects.create(slug="state-u", name="State University", contact_email="credit@state.example")
    PartnerMembership.objects.create(user=educator, partner=partner)
    assert "Graduate credit applications" in _view(client)[0]


def test_a_draft_shared_with_a_coach_and_its_revoking_are_on_the_coachs_next_view(
    client, educator, educator2, classkick
):
    from coaching.services import coaching_share_create, coaching_share_revoke

    client.force_login(educator2)
    assert "Drafts shared with you" not in _kept(client)
    submission, _ = submission_start(educator=educator, credential=classkick)
    outcome = coaching_share_create(
        actor=educator, submission=submission, email=educator2.email, role="mentor", files_allowed=False
    )
    assert "Drafts shared with you" in _view(client)[0]
    coaching_share_revoke(actor=educator, share=outcome.share)
    assert "Drafts shared with you" not in _view(client)[0]


def test_the_persons_own_name_and_address_confirmation_are_on_the_next_view(client, educator):
    client.force_login(educator)
    assert "Please confirm your email address." not in _kept(client)
    profile_update(user=educator, name="Ada Renamed", organisation="")
    assert "Welcome, Ada Renamed" in _view(client)[0]
    User.objects.filter(pk=educator.pk).update(email_verified_at=None)
    assert "Please confirm your email address." in _view(client)[0]


def test_a_reviewer_role_given_is_on_the_next_view(client, reviewer_mentor, classkick):
    from accounts.models import ReviewerRole

    client.force_login(reviewer_mentor)
    assert "Your review queue" in _kept(client)
    ReviewerRole.objects.filter(user=reviewer_mentor).delete()
    html, _ = _view(client)
    assert "Your review queue" not in html


def test_an_issuer_membership_and_the_issuers_new_name_are_on_the_next_view(client, educator, classkick):
    """Roles are in the part of the state the change log watches: written by bulk updates here, as a script or
    another process would write them, with no save() and no signal."""
    client.force_login(educator)
    assert "Issuer admin" not in _kept(client)
    IssuerMembership.objects.create(user=educator, issuer=classkick.issuer, role=IssuerMembership.Role.ADMIN)
    html = _kept(client)
    assert f"<strong>Issuer admin</strong> of {classkick.issuer.name}" in html
    Issuer.objects.filter(pk=classkick.issuer_id).update(name="Classkick Renamed")
    assert "<strong>Issuer admin</strong> of Classkick Renamed" in _view(client)[0]


def test_a_kept_dashboard_reads_its_live_part_and_the_change_log_alone(client, reviewer_mentor):
    """While the log shows no write to its scopes, a view reads the submissions and the counts (the live part) and
    asks the log, and reads neither roles, pathways nor the review queue."""
    client.force_login(reviewer_mentor)
    assert "Your review queue" in _kept(client)
    with CaptureQueriesContext(connection) as queries:
        client.get(DASHBOARD)
    # The session's read brings the person with whether they hold a role (accounts/mfa.py): not the panels' reads.
    sql = [q["sql"] for q in queries.captured_queries if "django_session" not in q["sql"]]
    assert any(changes.TABLE in q for q in sql)
    assert any("submissions_submission" in q for q in sql)
    assert any("notifications_notification" in q for q in sql)
    for table in ("accounts_issuermembership", "pathways_pathway", "reviews_assignment"):
        assert not any(table in q for q in sql), table


def test_the_tables_the_watched_part_reads_are_all_watched(reviewer_mentor):
    """A watched part that came to read a table the log does not watch would fail here until it is watched."""
    tables = set(connection.introspection.table_names())
    with CaptureQueriesContext(connection) as captured:
        dashboard_state(reviewer_mentor, timezone.now())
    read = {name for query in captured.captured_queries for name in re.findall(r'"(\w+)"', query["sql"])}
    assert read & tables >= {"accounts_reviewerrole", "accounts_issuermembership", "reviews_assignment", "awards_badge"}
    assert read & tables <= {w.table for w in changes.watches()}


def test_a_page_kept_for_one_person_is_never_shown_to_another(client, educator, educator2):
    client.force_login(educator)
    assert f"Welcome, {educator.name}" in _kept(client)
    client.force_login(educator2)
    html, _ = _view(client)
    assert f"Welcome, {educator2.name}" in html
    assert educator.name not in html


def test_every_panel_the_dashboard_draws_has_a_state():
    """A panel added to the template without its state would be kept unchanged while its data changed."""
    template = Path(settings.BASE_DIR, "templates", "accounts", "dashboard.html").read_text()
    includes = set(re.findall(r'{%\s*include\s+"([^"]+)"', template))
    tags = {name for name in re.findall(r"{%\s*(\w+)\s*%}", template) if name.endswith("_panel")}
    assert includes | tags == PANELS
