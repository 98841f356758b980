"""Personal access tokens: made once and shown once, stored hashed, listed and revoked by their owner."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from api.models import PersonalAccessToken
from api.services import MAX_ACTIVE_TOKENS, token_authenticate, token_create, token_revoke
from core.errors import NotAllowed
from tests.submissions.api_client import ApiClient, as_session, as_token

TOKENS = "/api/v1/tokens"


def test_a_token_is_shown_once_and_stored_only_as_its_hash(educator):
    api = as_session(educator)
    response = api.post(TOKENS, {"name": "My grading script"})
    assert response.status_code == 201
    body = response.json()
    secret = body["token"]
    assert secret.startswith("mct_")
    assert len(secret) > 40
    row = PersonalAccessToken.objects.get(pk=body["id"])
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(PersonalAccessToken.objects.filter(pk=row.pk).values().get())
    listed = api.get(TOKENS).json()
    assert [(t["name"], t["prefix"]) for t in listed] == [("My grading script", secret[:10])]
    assert "token" not in listed[0]


def test_a_token_authenticates_until_it_is_revoked(educator):
    _, secret = token_create(user=educator, name="script", scope="write")
    client = ApiClient(Client(), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("").status_code == 200
    (token,) = client.get(TOKENS).json()
    assert token["last_used_at"] is not None
    assert client.delete(f"{TOKENS}/{token['id']}").status_code == 204
    assert client.get("").status_code == 401
    assert PersonalAccessToken.objects.get(pk=token["id"]).revoked_at is not None


def test_an_expired_token_or_an_inactive_user_does_not_authenticate(educator):
    row, secret = token_create(user=educator, name="script", expires_at=timezone.now() + timedelta(days=1))
    assert token_authenticate(token=secret) == educator
    PersonalAccessToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_authenticate(token=secret) is None
    _, other = token_create(user=educator, name="other")
    educator.is_active = False
    educator.save()
    assert token_authenticate(token=other) is None


def test_a_token_cannot_make_more_tokens(educator):
    api = as_token(educator)
    assert api.post(TOKENS, {"name": "another"}).status_code == 401
    assert PersonalAccessToken.objects.count() == 1


def test_creating_a_token_needs_the_csrf_token_with_a_session(educator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(educator)
    assert ApiClient(client).post(TOKENS, {"name": "x"}).status_code == 403
    assert not PersonalAccessToken.objects.exists()


@pytest.mark.parametrize(("name", "says"), [("   ", "give the token a name"), ("x" * 101, "at most 100 characters")])
def test_a_token_needs_a_sensible_name(educator, name, says):
    response = as_session(educator).post(TOKENS, {"name": name})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": response.json()["detail"], "entry": None}]
    assert says in response.json()["detail"]


def test_it_refuses_a_token_beyond_the_most_a_person_may_hold(educator):
    for number in range(MAX_ACTIVE_TOKENS):
        token_create(user=educator, name=f"script {number}")
    response = as_session(educator).post(TOKENS, {"name": "one too many"})
    assert response.status_code == 409
    assert "revoke one you no longer use" in response.json()["detail"]
    assert PersonalAccessToken.objects.count() == MAX_ACTIVE_TOKENS


def test_nobody_lists_or_revokes_someone_elses_tokens(educator, educator2):
    row, _ = token_create(user=educator, name="mine")
    other = as_session(educator2)
    assert other.get(TOKENS).json() == []
    assert other.delete(f"{TOKENS}/{row.pk}").status_code == 404
    assert as_session(None).get(TOKENS).status_code == 401
    with pytest.raises(NotAllowed):
        token_revoke(token=row, actor=educator2)
    row.refresh_from_db()
    assert row.revoked_at is None


def test_the_command_prints_a_working_token_once(educator, capsys):
    call_command("token_create", "EDNA@example.org", "--name", "cron job")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert token_authenticate(token=secret) == educator


def test_the_command_names_an_unknown_user(db):
    with pytest.raises(CommandError, match=r"no user with the email 'nobody@example\.org'"):
        call_command("token_create", "nobody@example.org", "--name", "x")
