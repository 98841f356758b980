"""Reviewer management through the services: inviting by email (an account gets the roles and an email; an
address without one a single-use link, stored as its digest, accepted into a new or existing account), sending
again and revoking; pausing per issuer (respected by panel filling), resuming; capacity. Each audited with its
actor. Mail is read from Django's outbox after the transaction that queued it commits."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import ReviewerInvite, ReviewerPause, ReviewerProfile, ReviewerRole, User
from accounts.reviewer_invites import (
    invite_link_get,
    reviewer_invite,
    reviewer_invite_accept,
    reviewer_invite_resend,
    reviewer_invite_revoke,
)
from accounts.reviewer_roles import reviewer_capacity_set, reviewer_pause, reviewer_resume
from core.errors import InvalidInput, InvalidState, NotAllowed, NotFound
from core.models import AuditEvent
from reviews.models import Assignment, AssignmentState, Seat
from reviews.services import seats_fill_waiting
from tests.reviews.helpers import submit_attempt

LINK = re.compile(r"https?://\S+/issuers/invitations/([\w-]+)/")


def _token(message: Any) -> str:
    found = LINK.search(str(message.body))
    assert found, message.body
    return found.group(1)


def _invite(admin, issuer, mailoutbox, capture, **kwargs):
    fields: dict[str, Any] = {"email": "Lee@Example.org", "name": "Lee Lead", "kinds": ["lead_assessor", "mentor"]}
    fields.update(kwargs)
    fields.setdefault("grade_bands", ["college"])
    with capture(execute=True):
        outcome = reviewer_invite(actor=admin, issuer=issuer, **fields)
    return outcome, _token(mailoutbox[-1])


def test_an_address_without_an_account_is_emailed_a_link_kept_only_as_its_digest(
    issuer_admin, classkick, mailoutbox, django_capture_on_commit_callbacks
):
    outcome, token = _invite(issuer_admin, classkick.issuer, mailoutbox, django_capture_on_commit_callbacks)

    invite = outcome.invite
    assert invite is not None
    assert outcome.user is None
    assert (invite.email, invite.name, invite.kinds, invite.grade_band_list(), invite.status) == (
        "lee@example.org",
        "Lee Lead",
        ["mentor", "lead_assessor"],
        ["college"],
        "pending",
    )
    assert not User.objects.filter(email="lee@example.org").exists()  # made only on acceptance
    assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ReviewerInvite.objects.values()))
    assert invite.token_expires_at - invite.sent_at == timedelta(days=14)
    [message] = mailoutbox
    assert message.to == ["lee@example.org"]
    assert message.subject == "Classkick invites you to review at microcred"
    html = message.alternatives[0][0]
    for body in (str(message.body), html):
        assert "Ada Admin of Classkick invites you to review for" in body
        assert "as mentor and lead assessor (grade bands: College)" in body
        assert "The link works once, for 14 days." in body
    assert f"/issuers/invitations/{token}/" in html
    event = AuditEvent.objects.get(action="reviewer_invite.sent")
    assert (event.actor, event.issuer_id, event.new) == (
        issuer_admin,
        classkick.issuer_id,
        "mentor and lead assessor (grade bands: College)",
    )


def test_accepting_makes_the_account_verified_gives_the_roles_and_works_once(
    issuer_admin, classkick, mailoutbox, django_capture_on_commit_callbacks
):
    _, token = _invite(issuer_admin, classkick.issuer, mailoutbox, django_capture_on_commit_callbacks)
    link = invite_link_get(token=token)
    assert link.invite is not None
    assert not link.has_account

    user, invite = reviewer_invite_accept(token=token, name="Lee Q. Lead", password="a long pass phrase here")

    assert (user.email, user.name) == ("lee@example.org", "Lee Q. Lead")
    assert user.email_verified_at is not None
    assert user.check_password("a long pass phrase here")
    roles = ReviewerRole.objects.filter(user=user, issuer=classkick.issuer).order_by("kind")
    assert [(r.kind, r.grade_band_list(), r.granted_by) for r in roles] == [
        ("lead_assessor", ["college"], issuer_admin),
        ("mentor", ["college"], issuer_admin),
    ]
    assert (invite.status, invite.accepted_by) == ("accepted", user)
    accepted = AuditEvent.objects.get(action="reviewer_invite.accepted")
    assert (accepted.actor, accepted.issuer_id, accepted.data["new_account"]) == (user, classkick.issuer_id, True)
    assert AuditEvent.objects.filter(action="reviewer_role.granted", data__user_id=user.pk).count() == 2

    assert "accepted already" in invite_link_get(token=token).problem
    with pytest.raises(InvalidState):
        reviewer_invite_accept(token=token, name="Someone", password="another long pass phrase")
    assert User.objects.filter(email="lee@example.org").count() == 1


def test_an_account_made_meanwhile_is_linked_on_acceptance(
    issuer_admin, classkick, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    _, token = _invite(issuer_admin, classkick.issuer, mailoutbox, django_capture_on_commit_callbacks)
    lee = make_user("lee@example.org", "Lee Signed Up")
    assert invite_link_get(token=token).has_account

    user, _ = reviewer_invite_accept(token=token)

    assert user == lee
    lee.refresh_from_db()
    assert lee.name == "Lee Signed Up"
    assert ReviewerRole.objects.filter(user=lee, issuer=classkick.issuer).count() == 2


def test_someone_signed_in_as_another_account_cannot_take_the_invitation(
    issuer_admin, classkick, educator, mailoutbox, django_capture_on_commit_callbacks
):
    _, token = _invite(issuer_admin, classkick.issuer, mailoutbox, django_capture_on_commit_callbacks)

    with pytest.raises(NotAllowed, match=r"this invitation is for lee@example\.org"):
        reviewer_invite_accept(token=token, name="Edna", password="a long pass phrase here", viewer=educator)

    assert not ReviewerRole.objects.exists()


def test_an_expired_link_says_so_and_gives_nothing(
    issuer_admin, classkick, mailoutbox, django_capture_on_commit_callbacks
):
    outcome, token = _invite(issuer_admin, classkick.issuer, mailoutbox, django_capture_on_commit_callbacks)
    ReviewerInvite.objects.filter(pk=outcome.invite.pk).update(token_expires_at=timezone.now() - timedelta(seconds=1))

    assert "This link has expired. Ask Classkick's admin" in invite_link_get(token=token).problem
    with pytest.raises(InvalidState):
        reviewer_invite_accept(token=token, name="Lee", password="a long pass phrase here")
    with pytest.raises(NotFound):
        invite_link_get(token="not-a-token-we-sent")


def test_sending_again_replaces_the_link_and_revoking_withdraws_it(
    issuer_admin, classkick, mailoutbox, django_capture_on_commit_callbacks
):
    outcome, first = _invite(issuer_admin, classkick.issuer, mailoutbox, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        sent = reviewer_invite_resend(actor=issuer_admin, invite=outcome.invite)
    second = _token(mailoutbox[-1])

    assert len(mailoutbox) == 2
    assert second != first
    assert sent.sent_count == 2
    with pytest.raises(NotFound):
        invite_link_get(token=first)
    assert invite_link_get(token=second).invite == sent

    reviewer_invite_revoke(actor=issuer_admin, invite=sent)

    assert invite_link_get(token=second).problem == "Classkick has withdrawn this invitation."
    with pytest.raises(InvalidState):
        reviewer_invite_resend(actor=issuer_admin, invite=sent)
    actions = AuditEvent.objects.filter(subject_type="reviewerinvite").order_by("id")
    assert [(e.action, e.actor) for e in actions] == [
        ("reviewer_invite.sent", issuer_admin),
        ("reviewer_invite.resent", issuer_admin),
        ("reviewer_invite.revoked", issuer_admin),
    ]


def test_inviting_an_address_again_replaces_its_waiting_invitation(
    issuer_admin, classkick, mailoutbox, django_capture_on_commit_callbacks
):
    _invite(issuer_admin, classkick.issuer, mailoutbox, django_capture_on_commit_callbacks)
    outcome, _ = _invite(
        issuer_admin, classkick.issuer, mailoutbox, django_capture_on_commit_callbacks, kinds=["issuer_staff"]
    )

    assert ReviewerInvite.objects.filter(status="pending").count() == 1
    assert outcome.invite.kinds == ["issuer_staff"]
    assert outcome.invite.sent_count == 2
    assert AuditEvent.objects.filter(action="reviewer_invite.changed").exists()


def test_an_account_gets_the_roles_at_once_and_an_email_saying_so(
    issuer_admin, classkick, educator2, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = reviewer_invite(
            actor=issuer_admin,
            issuer=classkick.issuer,
            email="ELI@example.org",
            name="",
            kinds=["mentor"],
            grade_bands=["primary"],
        )

    assert outcome.invite is None
    assert outcome.user == educator2
    assert [role.kind for role in outcome.granted] == ["mentor"]
    [message] = mailoutbox
    assert message.to == ["eli@example.org"]
    assert message.subject == "You review for Classkick at microcred"
    assert "Ada Admin of Classkick has made you a reviewer for Classkick on microcred, as mentor (grade bands: " in str(
        message.body
    )
    assert "/reviews/" in str(message.body)

    # The same again changes nothing, records nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = reviewer_invite(
            actor=issuer_admin,
            issuer=classkick.issuer,
            email="eli@example.org",
            name="",
            kinds=["mentor"],
            grade_bands=["primary"],
        )
    assert [role.kind for role in again.unchanged] == ["mentor"]
    assert not again.any_change
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"kinds": []}, "kinds"),
        ({"kinds": ["judge"]}, "kinds"),
        ({"grade_bands": ["kindergarten"]}, "grade_bands"),
        ({"name": ""}, "name"),
        ({"name": "x" * 151}, "name"),
    ],
)
def test_a_bad_invitation_is_refused_naming_the_field(issuer_admin, classkick, fields, field):
    values: dict[str, Any] = {"email": "new@example.org", "name": "New Person", "kinds": ["mentor"], "grade_bands": []}
    values.update(fields)

    with pytest.raises(InvalidInput) as refusal:
        reviewer_invite(actor=issuer_admin, issuer=classkick.issuer, **values)

    assert [e.field for e in refusal.value.errors] == [field]
    assert not ReviewerInvite.objects.exists()


def test_only_the_issuers_admins_invite(other_issuer_admin, reviewer_staff, classkick):
    for actor in (other_issuer_admin, reviewer_staff):
        with pytest.raises(NotAllowed):
            reviewer_invite(
                actor=actor, issuer=classkick.issuer, email="x@example.org", name="X", kinds=["mentor"], grade_bands=[]
            )
    assert not ReviewerInvite.objects.exists()


# ----- pause, resume, capacity -----------------------------------------------------------------------------


def test_a_pause_at_one_issuer_keeps_its_new_seats_from_the_reviewer_and_resuming_gives_them_back(
    issuer_admin, educator, classkick, ck_panel
):
    mia = ck_panel["mia"]
    reviewer_pause(actor=issuer_admin, user=mia, issuer=classkick.issuer, reason="on leave")

    attempt = submit_attempt(educator, classkick)

    assert not Assignment.objects.filter(attempt=attempt, reviewer=mia).exists()
    waiting = Seat.objects.filter(attempt=attempt, kind="mentor", reviewer__isnull=True)
    assert waiting.count() == 1  # the other mentor, Max, took one; nobody else may take the second

    assert reviewer_resume(actor=issuer_admin, user=mia, issuer=classkick.issuer)
    seats_fill_waiting()

    assert Assignment.objects.filter(attempt=attempt, reviewer=mia, state=AssignmentState.OPEN).exists()
    assert not ReviewerPause.objects.exists()
    events = AuditEvent.objects.filter(action__in=["reviewer.paused", "reviewer.resumed"]).order_by("id")
    assert [(e.action, e.actor, e.issuer_id, e.old, e.new) for e in events] == [
        ("reviewer.paused", issuer_admin, classkick.issuer_id, "active", "paused"),
        ("reviewer.resumed", issuer_admin, classkick.issuer_id, "paused", "active"),
    ]
    assert events[0].data["reason"] == "on leave"
    # Resuming someone not paused changes and records nothing.
    assert not reviewer_resume(actor=issuer_admin, user=mia, issuer=classkick.issuer)
    assert AuditEvent.objects.filter(action="reviewer.resumed").count() == 1


def test_a_pause_ends_by_itself_on_its_date(issuer_admin, educator, classkick, ck_panel):
    mia = ck_panel["mia"]
    today = timezone.localdate()
    pause = reviewer_pause(actor=issuer_admin, user=mia, issuer=classkick.issuer, until=today + timedelta(days=3))
    assert pause.in_force(today)
    assert not pause.in_force(today + timedelta(days=3))
    # The day has come: the row is still there, but no longer stops anything.
    ReviewerPause.objects.filter(pk=pause.pk).update(until=today)

    attempt = submit_attempt(educator, classkick)

    assert Assignment.objects.filter(attempt=attempt, reviewer=mia, state=AssignmentState.OPEN).exists()


def test_another_issuers_pause_says_nothing_here(issuer_admin, other_issuer_admin, educators_rising, ck_panel):
    with pytest.raises(InvalidInput) as refusal:
        reviewer_pause(actor=other_issuer_admin, user=ck_panel["mia"], issuer=educators_rising.issuer)
    assert refusal.value.errors[0].field == "user"  # Mia holds no role at Educators Rising
    with pytest.raises(NotAllowed):
        reviewer_pause(
            actor=other_issuer_admin, user=ck_panel["mia"], issuer=ck_panel["mia"].reviewer_roles.get().issuer
        )


def test_a_pause_date_must_be_in_the_future_and_the_reason_short(issuer_admin, classkick, ck_panel):
    today = timezone.localdate()
    for kwargs, field in (({"until": today}, "until"), ({"reason": "x" * 501}, "reason")):
        with pytest.raises(InvalidInput) as refusal:
            reviewer_pause(actor=issuer_admin, user=ck_panel["mia"], issuer=classkick.issuer, **kwargs)
        assert refusal.value.errors[0].field == field
    assert not ReviewerPause.objects.exists()


def test_capacity_is_set_audited_under_every_issuer_the_person_reviews_for(
    issuer_admin, classkick, educators_rising, ck_panel
):
    from tests.conftest import reviewer_role_give

    mia = ck_panel["mia"]
    reviewer_role_give(mia, educators_rising.issuer, "mentor", ["primary"])

    profile = reviewer_capacity_set(actor=issuer_admin, user=mia, issuer=classkick.issuer, capacity=2)

    assert profile.capacity == ReviewerProfile.objects.get(user=mia).capacity == 2
    events = AuditEvent.objects.filter(action="reviewer_profile.changed", data__user_id=mia.pk)
    assert {e.issuer_id for e in events} == {classkick.issuer_id, educators_rising.issuer_id}
    assert {e.actor for e in events} == {issuer_admin}
    for bad in (-1, 51, True):
        with pytest.raises(InvalidInput) as refusal:
            reviewer_capacity_set(actor=issuer_admin, user=mia, issuer=classkick.issuer, capacity=bad)
        assert refusal.value.errors[0].field == "capacity"
