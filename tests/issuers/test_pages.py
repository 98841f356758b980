"""The Reviewers pages by persona: the roster (roles and bands, calibration, capacity, load, on-time rate and
its window, paused or active), inviting by email, the waiting invitations sent again or revoked, one reviewer's
page (pause, resume, capacity, history with who did what), the invitee's link; flat queries as reviewers grow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReviewerInvite, ReviewerPause, ReviewerRole, User
from accounts.reviewer_invites import reviewer_invite
from accounts.reviewer_roles import reviewer_pause
from core.models import AuditEvent
from reviews.models import Assignment
from tests.conftest import reviewer_role_give
from tests.reviews.helpers import open_assignments, review

CK = "classkick"
LINK = re.compile(r"https?://\S+(/issuers/invitations/[\w-]+/)")


def roster(slug: str = CK) -> str:
    return reverse("issuers:reviewers", args=[slug])


def person(user: User, slug: str = CK) -> str:
    return reverse("issuers:reviewer", args=[slug, user.pk])


def action(name: str, user: User, slug: str = CK) -> str:
    return reverse(f"issuers:reviewer_{name}", args=[slug, user.pk])


@pytest.fixture
def lee_invite(issuer_admin, classkick) -> ReviewerInvite:
    outcome = reviewer_invite(
        actor=issuer_admin,
        issuer=classkick.issuer,
        email="lee@example.org",
        name="Lee Lead",
        kinds=["mentor"],
        grade_bands=["college"],
    )
    assert outcome.invite is not None
    return outcome.invite


# ----- who may -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["educator", "reviewer", "other_issuer_admin"])
def test_anyone_but_the_issuers_admins_gets_404_on_every_page_and_changes_nothing(
    client, request, persona, ck_panel, lee_invite
):
    mia = ck_panel["mia"]
    client.force_login(ck_panel["sam"] if persona == "reviewer" else request.getfixturevalue(persona))
    invite_urls = [reverse(f"issuers:invite_{what}", args=[CK, lee_invite.pk]) for what in ("resend", "revoke")]

    assert client.get(person(mia)).status_code == 404
    for url in [action("pause", mia), action("resume", mia), action("capacity", mia), *invite_urls]:
        assert client.post(url, {"capacity": "1", "reason": "x"}).status_code == 404, url

    assert not ReviewerPause.objects.exists()
    assert mia.reviewer_profile.capacity == 5
    lee_invite.refresh_from_db()
    assert (lee_invite.status, lee_invite.sent_count) == ("pending", 1)
    assert not AuditEvent.objects.filter(action__startswith="reviewer.").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, ck_panel, lee_invite):
    mia = ck_panel["mia"]
    urls = [action("pause", mia), action("capacity", mia), reverse("issuers:invite_revoke", args=[CK, lee_invite.pk])]
    for response in [client.get(person(mia)), *(client.post(url) for url in urls)]:
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert not ReviewerPause.objects.exists()


def test_an_admin_cannot_reach_another_issuers_reviewer_or_invitation(
    client, issuer_admin, other_staff, educators_rising, other_issuer_admin
):
    er = educators_rising.issuer.slug
    invite = reviewer_invite(
        actor=other_issuer_admin,
        issuer=educators_rising.issuer,
        email="x@example.org",
        name="X",
        kinds=["mentor"],
        grade_bands=[],
    ).invite
    assert invite is not None
    client.force_login(issuer_admin)

    assert client.get(person(other_staff)).status_code == 404  # no role at Classkick
    assert client.get(person(other_staff, er)).status_code == 404
    assert client.post(action("pause", other_staff)).status_code == 404
    assert client.post(reverse("issuers:invite_revoke", args=[CK, invite.pk])).status_code == 404
    assert client.post(reverse("issuers:invite_revoke", args=[er, invite.pk])).status_code == 404
    invite.refresh_from_db()
    assert invite.status == "pending"


# ----- the roster ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["issuer_admin", "platform_admin"])
def test_the_roster_shows_roles_calibration_capacity_load_on_time_and_pauses(
    client, request, persona, issuer_admin, ck_attempt, ck_panel, classkick, lee_invite
):
    assignments = open_assignments(ck_attempt)
    review(assignments["sam@classkick.example"], classkick)  # submitted long before it is due: on time
    Assignment.objects.filter(pk=assignments["mia@mentors.example"].pk).update(
        due_at=timezone.now() - timedelta(days=1)
    )  # still open after its due date: late
    reviewer_pause(
        actor=issuer_admin,
        user=ck_panel["max"],
        issuer=classkick.issuer,
        until=timezone.localdate() + timedelta(days=7),
        reason="marking season",
    )
    client.force_login(request.getfixturevalue(persona))

    html = client.get(roster()).content.decode()

    assert "in the last 180 days (since" in html
    card = {name: _card(html, user) for name, user in ck_panel.items()}
    assert "<dt>On time</dt><dd>100% (1 of 1)</dd>" in card["sam"]
    assert "<dt>On time</dt><dd>0% (0 of 1)</dd>" in card["mia"]
    assert "No review came due in the last 180 days" in card["sid"]
    assert "Paused at Classkick until" in card["max"]
    assert "marking season" in card["max"]
    assert "Active: taken" in card["mia"]
    assert "1 open review of 5 at most" in card["mia"]
    assert "0 open reviews of 5 at most" in card["sam"]
    assert "Calibrated (" in card["mia"]
    assert "<strong>Mentor</strong>, grade bands: Middle school" in card["mia"]
    assert f'href="{person(ck_panel["mia"])}"' in card["mia"]
    # The invitation waiting, with its two buttons named for the address.
    assert "Invitations waiting for an answer (1)" in html
    assert "lee@example.org" in html
    assert "Mentor; grade bands: College" in html
    assert 'Send again<span class="visually-hidden"> to lee@example.org</span>' in html


def _card(html: str, user: User) -> str:
    start = html.index(f'id="reviewer-{user.pk}"')
    return html[start : html.index("</li>\n    \n", start) if "</li>\n    \n" in html[start:] else start + 4000]


def test_inviting_an_address_without_an_account_lists_the_invitation_and_emails_the_link(
    client, issuer_admin, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(issuer_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            roster(),
            {
                "email": "Lee@Example.org",
                "name": "Lee Lead",
                "kind": ["mentor", "lead_assessor"],
                "grade_bands": ["college"],
            },
        )

    assert response.status_code == 302
    assert not User.objects.filter(email="lee@example.org").exists()
    [message] = mailoutbox
    assert message.to == ["lee@example.org"]
    assert LINK.search(str(message.body))
    html = client.get(roster()).content.decode()
    assert (
        "lee@example.org has no account yet: we emailed them an invitation to review as mentor and lead assessor"
        in html
    )
    assert "Invitations waiting for an answer (1)" in html


def test_an_admin_sends_an_invitation_again_and_revokes_it(
    client, issuer_admin, lee_invite, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(issuer_admin)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("issuers:invite_resend", args=[CK, lee_invite.pk])).status_code == 302
    assert len(mailoutbox) == 1
    assert "We emailed lee@example.org the invitation again" in client.get(roster()).content.decode()

    assert client.post(reverse("issuers:invite_revoke", args=[CK, lee_invite.pk])).status_code == 302
    lee_invite.refresh_from_db()
    assert lee_invite.status == "revoked"
    html = client.get(roster()).content.decode()
    assert "The invitation of lee@example.org is revoked" in html
    assert "Invitations waiting for an answer (0)" in html
    assert client.post(reverse("issuers:invite_revoke", args=[CK, lee_invite.pk])).status_code == 404


def test_a_bad_invitation_names_the_field(client, issuer_admin):
    client.force_login(issuer_admin)

    response = client.post(roster(), {"email": "new@example.org", "name": "New", "kind": []})

    assert response.status_code == 422
    html = response.content.decode()
    assert '<a href="#id_kind">Roles: Choose the role: issuer staff, mentor or lead assessor</a>' in html
    assert 'value="new@example.org"' in html
    assert not ReviewerInvite.objects.exists()


# ----- one reviewer: pause, resume, capacity, history -------------------------------------------------------------


def test_an_admin_pauses_with_a_date_and_reason_then_resumes_and_the_history_shows_who(
    client, issuer_admin, ck_panel, classkick
):
    mia = ck_panel["mia"]
    client.force_login(issuer_admin)
    until = timezone.localdate() + timedelta(days=10)

    response = client.post(action("pause", mia), {"until": until.isoformat(), "reason": "on leave"})

    assert response.status_code == 302
    assert response.url == person(mia)
    pause = ReviewerPause.objects.get(user=mia, issuer=classkick.issuer)
    assert (pause.until, pause.reason, pause.paused_by) == (until, "on leave", issuer_admin)
    html = client.get(person(mia)).content.decode()
    assert "Mia Mentor is paused at Classkick until" in html
    assert "Paused at Classkick until" in html
    assert "Resume Mia Mentor</button>" in html
    assert "<td>Paused</td>\n          <td>Ada Admin</td>" in html
    assert "<td>on leave</td>" in html

    assert client.post(action("resume", mia)).status_code == 302
    html = client.get(person(mia)).content.decode()
    assert "Mia Mentor is active again at Classkick" in html
    assert "<td>Resumed</td>\n          <td>Ada Admin</td>" in html
    assert not ReviewerPause.objects.exists()


def test_an_admin_changes_capacity_and_bad_values_name_the_field(client, issuer_admin, ck_panel):
    mia = ck_panel["mia"]
    client.force_login(issuer_admin)

    assert client.post(action("capacity", mia), {"capacity": "2"}).status_code == 302
    mia.reviewer_profile.refresh_from_db()
    assert mia.reviewer_profile.capacity == 2
    assert "Mia Mentor now holds at most 2 open reviews at once." in client.get(person(mia)).content.decode()

    for value in ("", "51", "two"):
        response = client.post(action("capacity", mia), {"capacity": value})
        assert response.status_code == 422
        assert '<a href="#id_capacity">Capacity: ' in response.content.decode()
    response = client.post(action("pause", mia), {"until": timezone.localdate().isoformat()})
    assert response.status_code == 422
    assert '<a href="#id_until">Resume automatically on: Choose a day after today' in response.content.decode()
    mia.reviewer_profile.refresh_from_db()
    assert mia.reviewer_profile.capacity == 2
    assert not ReviewerPause.objects.exists()


# ----- the invitee's link --------------------------------------------------------------------------------------


def _link(mailoutbox) -> str:
    found = LINK.search(str(mailoutbox[-1].body))
    assert found
    return found.group(1)


def test_the_invitee_accepts_makes_an_account_and_is_signed_in(
    client, issuer_admin, classkick, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_invite(
            actor=issuer_admin,
            issuer=classkick.issuer,
            email="lee@example.org",
            name="Lee Lead",
            kinds=["mentor"],
            grade_bands=["college"],
        )
    url = _link(mailoutbox)

    page = client.get(url)
    assert page.status_code == 200
    assert "Ada Admin of Classkick invites you, lee@example.org, to review for Classkick" in page.content.decode()
    weak = client.post(url, {"name": "Lee Lead", "password": "password", "password_again": "password"})
    assert weak.status_code == 422
    assert 'href="#id_password"' in weak.content.decode()

    good = "a long and memorable pass phrase"
    response = client.post(url, {"name": "Lee Lead", "password": good, "password_again": good})

    assert response.status_code == 302
    assert response.url == reverse("reviews:queue")
    lee = User.objects.get(email="lee@example.org")
    assert ReviewerRole.objects.filter(user=lee, issuer=classkick.issuer, kind="mentor").exists()
    assert client.get(reverse("reviews:queue")).status_code == 200  # signed in
    client.logout()
    again = client.get(url)
    assert again.status_code == 410
    assert "accepted already" in again.content.decode()
    assert client.get("/issuers/invitations/not-ours/").status_code == 404


def test_a_signed_in_other_account_is_told_to_sign_out(
    client, educator, issuer_admin, classkick, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_invite(
            actor=issuer_admin,
            issuer=classkick.issuer,
            email="lee@example.org",
            name="Lee",
            kinds=["mentor"],
            grade_bands=[],
        )
    client.force_login(educator)

    response = client.post(_link(mailoutbox), {"name": "x", "password": "y", "password_again": "y"})

    assert response.status_code == 403
    assert (
        "You are signed in as edna@example.org, but this invitation is for lee@example.org" in response.content.decode()
    )
    assert not ReviewerRole.objects.exists()


# ----- the shared choice fieldset -----------------------------------------------------------------------------


def test_the_override_page_still_draws_its_outcome_as_radio_buttons(client, issuer_admin):
    from django.template.loader import render_to_string

    from pages.reviews.forms import OverrideForm

    html = render_to_string("accounts/_choices.html", {"field": OverrideForm()["outcome"]})
    assert '<fieldset id="id_outcome" tabindex="-1" class="field">' in html
    assert '<legend class="field-label">New outcome</legend>' in html
    assert html.count('type="radio"') == 2


# ----- queries ------------------------------------------------------------------------------------------------


def test_the_roster_and_a_reviewers_page_keep_flat_query_counts_as_reviewers_grow(
    client, issuer_admin, make_user, classkick, samples, django_assert_num_queries
):
    def add(n: int) -> None:
        user = make_user(f"extra{n}@example.org")
        reviewer_role_give(user, classkick.issuer, "mentor", ["primary"])
        reviewer_role_give(user, classkick.issuer, "lead_assessor")
        reviewer_pause(actor=issuer_admin, user=user, issuer=classkick.issuer, reason=f"pause {n}")
        reviewer_invite(
            actor=issuer_admin,
            issuer=classkick.issuer,
            email=f"new{n}@example.org",
            name=f"New {n}",
            kinds=["mentor"],
            grade_bands=[],
        )

    add(0)
    client.force_login(issuer_admin)
    first = User.objects.get(email="extra0@example.org")
    with CaptureQueriesContext(connection) as small:
        client.get(roster())
    with CaptureQueriesContext(connection) as small_person:
        client.get(person(first))
    for n in range(1, 8):
        add(n)
    with django_assert_num_queries(len(small.captured_queries)):
        html = client.get(roster()).content.decode()
    assert "extra7@example.org" in html
    assert "new7@example.org" in html
    with django_assert_num_queries(len(small_person.captured_queries)):
        client.get(person(first))


def test_an_address_with_an_account_by_then_accepts_with_one_button(
    client, issuer_admin, classkick, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_invite(
            actor=issuer_admin,
            issuer=classkick.issuer,
            email="lee@example.org",
            name="Lee",
            kinds=["issuer_staff"],
            grade_bands=[],
        )
    lee = make_user("lee@example.org", "Lee Signed Up")
    url = _link(mailoutbox)

    page = client.get(url).content.decode()
    assert "There is already an account with the address lee@example.org" in page
    assert 'name="password"' not in page

    response = client.post(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={reverse('reviews:queue')}"
    assert ReviewerRole.objects.filter(user=lee, issuer=classkick.issuer, kind="issuer_staff").exists()
    assert User.objects.filter(email="lee@example.org").count() == 1
