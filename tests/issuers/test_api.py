"""The issuer reviewers API (/api/v1/issuers/<slug>/reviewers) by persona: the roster, inviting, giving and ending
roles, pausing, resuming and capacity for the issuer's admins (session or token); 404 for another issuer's admin,
reviewers and educators; 401 anonymous; 422 naming the field; flat queries on the roster."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ReviewerInvite, ReviewerPause, ReviewerRole
from accounts.reviewer_invites import reviewer_invite
from core.models import AuditEvent
from tests.conftest import reviewer_role_give
from tests.submissions.api_client import as_session, as_token

API = "/api/v1/issuers/classkick/reviewers"


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


def _calls(mia_id: int, role_id: int, invite_id: int) -> list[tuple[str, str, object]]:
    return [
        ("get", API, None),
        ("post", f"{API}/invitations", {"email": "x@example.org", "name": "X", "kinds": ["mentor"]}),
        ("post", f"{API}/invitations/{invite_id}/resend", None),
        ("post", f"{API}/invitations/{invite_id}/revoke", None),
        ("post", f"{API}/{mia_id}/roles", {"kind": "lead_assessor"}),
        ("delete", f"{API}/roles/{role_id}", None),
        ("post", f"{API}/{mia_id}/pause", {"reason": "x"}),
        ("post", f"{API}/{mia_id}/resume", None),
        ("put", f"{API}/{mia_id}/capacity", {"capacity": 1}),
    ]


def _send(client, method: str, path: str, body: object):
    if method == "put":  # the test client has no put helper
        return client.client.put(path, data=json.dumps(body), content_type="application/json", **client.headers)
    return getattr(client, method)(path, body) if body is not None else getattr(client, method)(path)


@pytest.mark.parametrize("persona", ["other_issuer_admin", "reviewer", "educator", None])
def test_nobody_but_the_issuers_admins_reaches_any_operation(request, persona, ck_panel, lee_invite):
    mia = ck_panel["mia"]
    role = ReviewerRole.objects.get(user=mia)
    user = ck_panel["sam"] if persona == "reviewer" else request.getfixturevalue(persona) if persona else None
    expected = 401 if persona is None else 404

    for client in [as_session(user)] + ([as_token(user)] if user else []):
        for method, path, body in _calls(mia.pk, role.pk, lee_invite.pk):
            assert _send(client, method, path, body).status_code == expected, (persona, method, path)

    assert ReviewerRole.objects.filter(pk=role.pk).exists()
    assert not ReviewerPause.objects.exists()
    assert ReviewerInvite.objects.get().sent_count == 1
    assert not AuditEvent.objects.filter(action__in=["reviewer.paused", "reviewer_role.revoked"]).exists()


@pytest.mark.parametrize("persona", ["issuer_admin", "platform_admin"])
def test_the_roster_lists_reviewers_with_their_figures_and_the_waiting_invitations(
    request, persona, ck_attempt, ck_panel, lee_invite
):
    response = as_token(request.getfixturevalue(persona)).get(API)

    assert response.status_code == 200
    body = response.json()
    assert (body["issuer"], body["on_time_days"]) == ("classkick", 180)
    people = {row["email"]: row for row in body["reviewers"]}
    assert set(people) == {
        "sam@classkick.example",
        "sid@classkick.example",
        "mia@mentors.example",
        "max@mentors.example",
    }
    mia = people["mia@mentors.example"]
    assert (mia["active"], mia["pause"], mia["capacity"], mia["open_reviews"]) == (True, None, 5, 1)
    assert mia["on_time"] == {"on_time": 0, "came_due": 0, "rate": None}
    assert [(r["kind"], r["grade_bands"]) for r in mia["roles"]] == [("mentor", ["middle_school"])]
    assert mia["calibration"][0]["calibrated"] is True
    [invitation] = body["invitations"]
    assert (invitation["email"], invitation["kinds"], invitation["grade_bands"]) == (
        "lee@example.org",
        ["mentor"],
        ["college"],
    )


def test_an_admin_invites_gives_and_ends_roles_pauses_resumes_and_sets_capacity(
    issuer_admin, classkick, ck_panel, educator2, mailoutbox, django_capture_on_commit_callbacks
):
    api = as_token(issuer_admin)
    mia = ck_panel["mia"]

    with django_capture_on_commit_callbacks(execute=True):
        invited = api.post(
            f"{API}/invitations", {"email": "New@Example.org", "name": "Nia New", "kinds": ["issuer_staff"]}
        )
    assert invited.status_code == 200
    assert invited.json()["result"] == "invited"
    assert invited.json()["invitation"]["email"] == "new@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        granted = api.post(
            f"{API}/invitations", {"email": "eli@example.org", "kinds": ["mentor"], "grade_bands": ["primary"]}
        )
    assert granted.json() == {
        "result": "granted",
        "user_id": educator2.pk,
        "invitation": None,
        "granted": ["mentor"],
        "changed": [],
        "unchanged": [],
    }
    assert [m.to for m in mailoutbox] == [["new@example.org"], ["eli@example.org"]]

    role = api.post(f"{API}/{mia.pk}/roles", {"kind": "lead_assessor", "grade_bands": ["college"]})
    assert role.status_code == 200
    assert {r["kind"] for r in role.json()["roles"]} == {"mentor", "lead_assessor"}
    lead = ReviewerRole.objects.get(user=mia, kind="lead_assessor")
    assert api.delete(f"{API}/roles/{lead.pk}").status_code == 204
    assert not ReviewerRole.objects.filter(pk=lead.pk).exists()

    until = (timezone.localdate() + timedelta(days=5)).isoformat()
    paused = api.post(f"{API}/{mia.pk}/pause", {"until": until, "reason": "leave"})
    assert paused.status_code == 200
    assert paused.json()["active"] is False
    assert (paused.json()["pause"]["until"], paused.json()["pause"]["reason"]) == (until, "leave")
    resumed = api.post(f"{API}/{mia.pk}/resume")
    assert resumed.json()["active"] is True
    assert resumed.json()["pause"] is None

    capacity = _send(api, "put", f"{API}/{mia.pk}/capacity", {"capacity": 3})
    assert capacity.status_code == 200
    assert capacity.json()["capacity"] == 3

    actions = set(AuditEvent.objects.filter(actor=issuer_admin).values_list("action", flat=True))
    assert {
        "reviewer_invite.sent",
        "reviewer_role.granted",
        "reviewer_role.revoked",
        "reviewer.paused",
        "reviewer.resumed",
        "reviewer_profile.changed",
    } <= actions


def test_invitations_are_sent_again_and_revoked(
    issuer_admin, lee_invite, mailoutbox, django_capture_on_commit_callbacks
):
    api = as_session(issuer_admin)

    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"{API}/invitations/{lee_invite.pk}/resend")
    assert again.status_code == 200
    assert again.json()["sent_count"] == 2
    assert len(mailoutbox) == 1
    revoked = api.post(f"{API}/invitations/{lee_invite.pk}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert api.post(f"{API}/invitations/{lee_invite.pk}/revoke").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/invitations", {"email": "nope", "name": "N", "kinds": ["mentor"]}, "email"),
        ("post", "/invitations", {"email": "n@example.org", "name": "N", "kinds": ["judge"]}, "kinds"),
        ("post", "/invitations", {"email": "n@example.org", "kinds": ["mentor"]}, "name"),
        ("post", "/invitations", {"email": "n@example.org", "name": "N", "kinds": ["mentor"], "bands": []}, "bands"),
        ("post", "/invitations", {"email": "n@example.org", "name": "N"}, "kinds"),
        ("post", "/{mia}/roles", {"kind": "mentor", "grade_bands": ["kindergarten"]}, "grade_bands"),
        ("post", "/{mia}/pause", {"until": "2000-01-01"}, "until"),
        ("post", "/{mia}/pause", {"until": "someday"}, "until"),
        ("put", "/{mia}/capacity", {"capacity": 51}, "capacity"),
        ("put", "/{mia}/capacity", {"capacity": "many"}, "capacity"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(issuer_admin, ck_panel, method, path, body, field):
    api = as_session(issuer_admin)

    response = _send(api, method, API + path.format(mia=ck_panel["mia"].pk), body)

    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not ReviewerPause.objects.exists()
    assert not ReviewerInvite.objects.exists()


def test_the_roster_keeps_a_flat_query_count_as_reviewers_grow(issuer_admin, make_user, classkick, samples):
    def add(n: int) -> None:
        user = make_user(f"extra{n}@example.org")
        reviewer_role_give(user, classkick.issuer, "mentor", ["primary"])
        reviewer_role_give(user, classkick.issuer, "issuer_staff")

    add(0)
    api = as_session(issuer_admin)
    with CaptureQueriesContext(connection) as small:
        assert api.get(API).status_code == 200
    for n in range(1, 8):
        add(n)
    with CaptureQueriesContext(connection) as large:
        body = api.get(API).json()
    assert len(body["reviewers"]) == 8
    assert len(large.captured_queries) == len(small.captured_queries)
