"""The deletion page by persona, the grace period (signed out, no sign-in, cancel offered at sign-in) and the
pseudonymising of kept rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from catalog.models import Credential
from core.audit import audit_record
from core.models import AuditEvent
from core.pseudonymise import rows_scrub
from notifications.models import Email
from notifications.services import email_queue
from tests.conftest import PASSWORD
from tests.reviews.helpers import open_assignments, submit_attempt
from workflow.models import DeletionRequest

DELETE = reverse("accounts:delete")


def _signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(DELETE)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 302
    assert not DeletionRequest.objects.exists()
    assert client.get(reverse("accounts:deletion_requested")).status_code == 200


def test_the_page_explains_before_confirming_and_the_profile_links_to_it(client: Client, educator: User) -> None:
    _signed_in(client, educator)
    assert DELETE in client.get(reverse("accounts:profile")).content.decode()
    page = " ".join(client.get(DELETE).content.decode().split())
    for words in (
        "What is erased",
        "evidence files",
        "What is kept",
        "scores reviewers gave",
        "holder request",
        "14 days",
        "Cancel deletion",
        'name="password"',
    ):
        assert words in page, words


@pytest.mark.parametrize("persona", ["issuer_admin", "partner_staff"])
def test_staff_without_open_reviews_may_delete(client: Client, persona: str, request: Any) -> None:
    user = request.getfixturevalue(persona)
    _signed_in(client, user)
    assert 'name="password"' in client.get(DELETE).content.decode()


def test_a_reviewer_with_open_assignments_and_a_platform_admin_are_refused(
    client: Client, educator: User, classkick: Credential, ck_panel: dict[str, User], platform_admin: User
) -> None:
    reviewer = next(iter(open_assignments(submit_attempt(educator, classkick)).values())).reviewer
    for user, words in (
        (reviewer, "Submit or decline"),
        (platform_admin, "platform admin"),
        (educator, "with reviewers"),
    ):
        _signed_in(client, user)
        page = client.get(DELETE).content.decode()
        assert words in page, user
        assert 'name="password"' not in page, user
        client.post(DELETE, {"password": PASSWORD})
        user.refresh_from_db()
        assert user.is_active
    assert not DeletionRequest.objects.exists()


def test_deleting_signs_out_refuses_sign_in_and_sign_in_offers_cancel(client: Client, educator: User) -> None:
    _signed_in(client, educator)
    wrong = client.post(DELETE, {"password": "not it"})
    assert wrong.status_code == 422
    assert "current password" in wrong.content.decode()
    response = client.post(DELETE, {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:deletion_requested")
    assert client.get(reverse("accounts:dashboard")).status_code == 302  # signed out
    educator.refresh_from_db()
    assert not educator.is_active

    # A wrong password of the closed account is an ordinary refusal; the right one offers to cancel.
    login = reverse("accounts:login")
    assert client.post(login, {"username": educator.email, "password": "nope"}).status_code == 200
    offered = client.post(login, {"username": educator.email, "password": PASSWORD})
    assert offered["Location"] == reverse("accounts:deletion_cancel")
    assert "Cancel deletion" in client.get(offered["Location"]).content.decode()
    assert client.get(reverse("accounts:dashboard")).status_code == 302  # still not signed in

    cancelled = client.post(reverse("accounts:deletion_cancel"))
    assert cancelled["Location"] == reverse("accounts:dashboard")
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    educator.refresh_from_db()
    assert educator.is_active
    assert not DeletionRequest.objects.exists()


def test_cancel_needs_the_password_proven_in_this_browser(client: Client, educator: User, educator2: User) -> None:
    _signed_in(client, educator).post(DELETE, {"password": PASSWORD})
    other = Client()
    for who in (None, educator2):
        if who is not None:
            other.force_login(who)
        assert other.post(reverse("accounts:deletion_cancel"))["Location"].startswith(reverse("accounts:login"))
    assert DeletionRequest.objects.filter(user=educator).exists()


def test_kept_rows_are_pseudonymised_in_text_and_nested_json(educator: User, make_user: Callable[..., User]) -> None:
    name = "Dána Whitfíeld"
    other = make_user("otto@example.org", "Otto")
    event = audit_record(
        action="x.y", subject=other, actor=None, new=f"about {name.upper()}", data={"who": [{"name": name}]}
    )
    email = email_queue(name="partner", to="uni@example.org", context={"earner": name, "title": "Keep me"})
    untouched = email_queue(name="partner", to="uni@example.org", context={"earner": f"Someone else, {name}son"})
    assert rows_scrub(AuditEvent.objects.all(), fields=["new", "data"], needles=[name], marker="[erased]") == 1
    assert rows_scrub(Email.objects.all(), fields=["context"], needles=[name], marker="[erased]") == 1
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.new, event.data) == ("about [erased]", {"who": [{"name": "[erased]"}]})
    assert Email.objects.get(pk=email.pk).context == {"earner": "[erased]", "title": "Keep me"}
    assert Email.objects.get(pk=untouched.pk).context == {"earner": f"Someone else, {name}son"}  # whole words
