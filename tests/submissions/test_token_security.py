"""Personal access tokens are limited: a scope, a lifetime of at most a year, and a password change ends them."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import PersonalAccessToken
from api.services import token_authenticate, token_create
from core.models import AuditEvent
from tests.conftest import PASSWORD
from tests.submissions.api_client import ApiClient, as_session

TOKENS = "/api/v1/tokens"
NEW = "a brand new pass phrase"


def _bearer(secret: str) -> ApiClient:
    return ApiClient(Client(), HTTP_AUTHORIZATION=f"Bearer {secret}")


# --- scopes --------------------------------------------------------------------------------------


def test_a_token_made_without_a_scope_only_reads_and_says_so(educator):
    created = as_session(educator).post(TOKENS, {"name": "dashboard script"})

    assert created.status_code == 201
    assert created.json()["scope"] == "read"
    assert as_session(educator).get(TOKENS).json()[0]["scope"] == "read"


def test_a_read_token_reads_and_is_refused_every_change_with_403(educator, classkick):
    _, secret = token_create(user=educator, name="reader")
    reader = _bearer(secret)

    assert reader.get("").status_code == 200
    for answer in [
        reader.post("", {"credential": classkick.slug}),
        reader.patch("1/responses", {"base_revision": 0, "responses": {}}),
        reader.delete(f"{TOKENS}/1"),
    ]:
        assert answer.status_code == 403
        assert answer["Content-Type"].startswith("application/json")
        assert "scope is read" in answer.json()["detail"]
    assert not educator.submissions.exists()


def test_a_write_token_may_change_things(educator, classkick):
    created = as_session(educator).post(TOKENS, {"name": "autosave client", "scope": "write"})
    writer = _bearer(created.json()["token"])

    assert created.json()["scope"] == "write"
    assert writer.post("", {"credential": classkick.slug}).status_code == 201


def test_an_unknown_scope_is_refused_naming_the_field(educator):
    response = as_session(educator).post(TOKENS, {"name": "x", "scope": "admin"})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["scope"]


# --- lifetime ------------------------------------------------------------------------------------


@pytest.mark.parametrize("expires_at", ["9999-12-31T23:59:59Z", "a year and an hour from now"])
def test_an_expiry_beyond_the_longest_lifetime_is_refused_naming_it(educator, expires_at):
    if not expires_at[0].isdigit():
        expires_at = (timezone.now() + timedelta(days=settings.API_TOKEN_MAX_DAYS, hours=1)).isoformat()
    response = as_session(educator).post(TOKENS, {"name": "forever", "expires_at": expires_at})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "expires_at"
    assert f"at most {settings.API_TOKEN_MAX_DAYS} days ahead" in response.json()["detail"]
    assert not PersonalAccessToken.objects.exists()


def test_a_token_without_an_expiry_gets_the_default_and_one_within_a_year_is_kept(educator):
    api = as_session(educator)
    default = api.post(TOKENS, {"name": "default"}).json()
    chosen = (timezone.now() + timedelta(days=300)).replace(microsecond=0)
    kept = api.post(TOKENS, {"name": "chosen", "expires_at": chosen.isoformat()}).json()

    expires_at = PersonalAccessToken.objects.get(pk=default["id"]).expires_at
    assert expires_at is not None
    lifetime = expires_at - timezone.now()
    assert (
        timedelta(days=settings.API_TOKEN_DEFAULT_DAYS - 1)
        < lifetime
        <= timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    )
    assert PersonalAccessToken.objects.get(pk=kept["id"]).expires_at == chosen


# --- a changed password ends every token ---------------------------------------------------------


def _revocations(user):
    return AuditEvent.objects.filter(action="token.revoked", data__user_id=user.pk)


def test_a_password_reset_revokes_every_token_and_records_it(
    client, educator, educator2, mailoutbox, django_capture_on_commit_callbacks
):
    mine = [token_create(user=educator, name=f"script {n}", scope="write")[1] for n in range(2)]
    _, theirs = token_create(user=educator2, name="other person's")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": educator.email})
    link = next(word for word in mailoutbox[0].body.split() if "/accounts/password/reset/" in word)
    form_url = client.get(urlparse(link).path).url
    assert client.post(form_url, {"new_password1": NEW, "new_password2": NEW}).status_code == 302

    assert [token_authenticate(token=secret) for secret in mine] == [None, None]
    assert token_authenticate(token=theirs) == educator2
    assert _bearer(mine[0]).get("").status_code == 401
    events = list(_revocations(educator))
    assert len(events) == 2
    assert {event.actor_id for event in events} == {None}
    assert {event.data["reason"] for event in events} == {"the password was changed"}
    # A token made after the reset works.
    _, fresh = token_create(user=educator, name="after the reset")
    assert token_authenticate(token=fresh) == educator


def test_a_password_change_revokes_every_token(client, educator):
    _, secret = token_create(user=educator, name="script")
    client.force_login(educator)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    assert token_authenticate(token=secret) is None
    assert _revocations(educator).count() == 1


def test_a_password_set_anywhere_else_revokes_them_too_and_other_saves_do_not(educator):
    _, secret = token_create(user=educator, name="script")
    educator.name = "Edna E. Educator"
    educator.save()
    educator.save(update_fields=["name"])
    assert token_authenticate(token=secret) == educator

    # As the admin's password form and `changepassword` do it.
    educator.set_password(NEW)
    educator.save()

    assert token_authenticate(token=secret) is None
    assert _revocations(educator).count() == 1


def test_revoking_by_hand_is_recorded_with_its_owner_as_actor(educator):
    row, secret = token_create(user=educator, name="script", scope="write")

    assert _bearer(secret).delete(f"{TOKENS}/{row.pk}").status_code == 204

    [event] = _revocations(educator)
    assert event.actor_id == educator.pk
    assert AuditEvent.objects.filter(action="token.created", subject_id=row.pk).count() == 1


# --- the command ---------------------------------------------------------------------------------


def test_the_command_makes_a_read_token_unless_told_and_says_its_scope_and_expiry(educator, capsys):
    call_command("token_create", educator.email, "--name", "cron")
    reader = capsys.readouterr().out
    call_command("token_create", educator.email, "--name", "sync", "--scope", "write", "--days", "30")
    writer = capsys.readouterr().out

    assert "scope read, expires " in reader
    assert "scope write, expires " in writer
    rows = {row.name: row for row in PersonalAccessToken.objects.all()}
    assert rows["cron"].scope == "read"
    assert rows["sync"].scope == "write"
    sync_expires = rows["sync"].expires_at
    assert sync_expires is not None
    assert sync_expires - timezone.now() <= timedelta(days=30)


def test_the_command_refuses_a_lifetime_past_the_longest(educator):
    with pytest.raises(CommandError, match=r"--days: .*at most 365 days"):
        call_command("token_create", educator.email, "--name", "x", "--days", "400")


def test_token_answers_are_json_documents(educator):
    # The 403 of a read token is the API's JSON error shape, like every other refusal.
    _, secret = token_create(user=educator, name="reader")
    body = json.loads(_bearer(secret).post("", {"credential": "x"}).content)
    assert set(body) == {"detail"}
