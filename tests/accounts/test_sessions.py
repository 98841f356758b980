"""A signed-in session ends after half an hour without use, and after SESSION_ABSOLUTE_AGE in any case."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.sessions import (
    _SIGNED_IN,
    SEEN_KEY,
    STARTED_KEY,
    SessionStore,
    forget_fetched_user,
    take_fetched_user,
)
from tests.conftest import PASSWORD

DASHBOARD = reverse("accounts:dashboard")


def _row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _set(client, **values) -> None:
    session = client.session
    session.update(values)
    session.save()


@pytest.mark.django_db
def test_signing_in_gives_a_session_of_half_an_hour(client, educator):
    response = client.post(reverse("accounts:login"), {"username": educator.email, "password": PASSWORD})

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    remaining = _row(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


@pytest.mark.django_db
def test_a_session_in_use_is_kept_alive_with_at_most_one_write_a_minute(client, educator):
    client.force_login(educator)
    assert client.get(DASHBOARD).status_code == 200
    first = _row(client).expire_date

    # Within the minute: nothing written, so no new cookie either.
    response = client.get(DASHBOARD)
    assert "sessionid" not in response.cookies
    assert _row(client).expire_date == first

    # Two minutes later (as the session remembers it): the expiry moves on and the cookie is renewed.
    _set(client, **{SEEN_KEY: int(time.time()) - 120})
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=first - timedelta(minutes=2))
    response = client.get(DASHBOARD)
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    assert _row(client).expire_date > first - timedelta(minutes=2)
    assert _row(client).expire_date - timezone.now() > timedelta(minutes=29)


@pytest.mark.django_db
def test_a_session_left_alone_for_half_an_hour_is_over(client, educator):
    client.force_login(educator)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_busy_session_still_ends_at_its_absolute_age(client, educator):
    client.force_login(educator)
    _set(client, **{STARTED_KEY: int(time.time()) - settings.SESSION_ABSOLUTE_AGE - 1})

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_session_from_before_the_limits_counts_from_its_next_request(client, educator):
    client.force_login(educator)
    session = client.session
    del session[STARTED_KEY]
    del session[SEEN_KEY]
    session.save()

    assert client.get(DASHBOARD).status_code == 200
    assert isinstance(client.session[STARTED_KEY], int)


@pytest.mark.django_db
def test_each_request_reads_the_session_and_the_account_afresh(client, educator):
    """The session and the user are read by SQL built once per connection (core/compiled.py), from the second
    request on in one statement (accounts/sessions.py); what they hold is still read on every request, so a change
    made elsewhere (another worker, the admin) counts at once."""
    client.force_login(educator)
    assert client.get(DASHBOARD).status_code == 200
    type(educator).objects.filter(pk=educator.pk).update(name="Edna Renamed")
    assert "Edna Renamed" in client.get(DASHBOARD).content.decode()

    type(educator).objects.filter(pk=educator.pk).update(is_active=False)
    response = client.get(DASHBOARD)
    assert response.status_code == 302  # a closed account is nobody, from its very next request
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_session_whose_row_is_gone_is_signed_out(client, educator):
    client.force_login(educator)
    key = client.session.session_key
    Session.objects.filter(session_key=key).delete()  # as signing out in another browser tab does

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()


def _reads_of_the_person(client) -> list[str]:
    """The statements of one view of the dashboard that read the signed-in person (with the second-factor
    middleware's questions, which only that read asks)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "mfa_has_factor" in q["sql"]]


@pytest.mark.django_db
def test_a_session_seen_before_is_read_with_its_person_in_one_statement(client, educator):
    client.force_login(educator)
    # A process that did not sign the session in nor read it yet cannot know whom it names: two reads.
    _SIGNED_IN.clear()
    (first,) = _reads_of_the_person(client)
    assert '"django_session"' not in first
    # From then on, one statement reads both: one round trip to the database fewer on every signed-in request.
    (second,) = _reads_of_the_person(client)
    assert '"django_session"' in second


@pytest.mark.django_db
def test_a_session_that_names_someone_else_now_is_never_read_as_the_person_before(client, educator, educator2):
    client.force_login(educator)
    assert educator.name in client.get(DASHBOARD).content.decode()
    # The same session now names another person (as nothing in the product does, but a session's data may say
    # anything): the person fetched beside it by the last guess is not the one it names, and is not used.
    _set(client, **{SESSION_KEY: str(educator2.pk), HASH_SESSION_KEY: educator2.get_session_auth_hash()})

    page = client.get(DASHBOARD).content.decode()

    assert educator2.name in page
    assert educator.name not in page


@pytest.mark.django_db
def test_a_person_fetched_with_a_session_is_taken_once_and_only_as_that_person(client, educator, educator2):
    client.force_login(educator)  # saved here: this process knows whom the session names
    key = client.session.session_key
    SessionStore(key).load()  # so this read fetched them with it

    assert take_fetched_user(educator2.pk) is None  # asked for someone else: not handed over, and gone
    assert take_fetched_user(educator.pk) is None

    SessionStore(key).load()
    fetched = take_fetched_user(educator.pk)
    assert fetched is not None
    assert (fetched.pk, fetched.name) == (educator.pk, educator.name)
    assert take_fetched_user(educator.pk) is None  # taken once

    SessionStore(key).load()
    forget_fetched_user()  # as at the end of every request
    assert take_fetched_user(educator.pk) is None


@pytest.mark.django_db
def test_signing_in_lets_the_first_request_read_the_session_and_the_person_together(client, educator):
    _SIGNED_IN.clear()
    response = client.post(reverse("accounts:login"), {"username": educator.email, "password": PASSWORD})
    assert response.status_code == 302

    (read,) = _reads_of_the_person(client)

    assert '"django_session"' in read


def test_a_decoded_session_is_a_fresh_copy_and_a_forged_one_is_empty(settings):
    store = SessionStore()
    text = store.encode({SESSION_KEY: "7", "visits": [1, 2]})
    first = store.decode(text)
    assert first == {SESSION_KEY: "7", "visits": [1, 2]}
    first["visits"].append(3)  # the session changes its data in place; the next decode must not see it
    assert store.decode(text) == {SESSION_KEY: "7", "visits": [1, 2]}
    # One character of the signed text changed: nothing, however often asked.
    forged = text[:-1] + ("A" if text[-1] != "A" else "B")
    assert store.decode(forged) == {}
    assert store.decode(forged) == {}
    # Signed with another key: nothing, even though the same text decoded a moment ago.
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert store.decode(text) == {}


def test_later_code_is_handed_the_person_itself_not_a_lazy_stand_in(client, educator, rf):
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from accounts.models import User
    from accounts.sessions import ResolvedUserMiddleware

    seen: list[object] = []

    def handed(request) -> HttpResponse:
        seen.append(request.user)
        return HttpResponse()

    client.force_login(educator)
    signed_in = rf.get("/")
    signed_in.session = SessionStore(session_key=client.session.session_key)
    AuthenticationMiddleware(handed).process_request(signed_in)
    ResolvedUserMiddleware(handed)(signed_in)
    assert type(seen[-1]) is User
    assert seen[-1].pk == educator.pk
    # Nobody signed in and no session: AnonymousUser itself, and nothing read to learn that.
    anonymous = rf.get("/")
    anonymous.session = SessionStore()
    AuthenticationMiddleware(handed).process_request(anonymous)
    with CaptureQueriesContext(connection) as queries:
        ResolvedUserMiddleware(handed)(anonymous)
    assert type(seen[-1]) is AnonymousUser
    assert queries.captured_queries == []


@pytest.mark.django_db
def test_a_session_signed_before_a_password_change_is_signed_out_by_it(client, educator, settings, monkeypatch):
    """The hash each request checks its session against is kept per process by the password it is made from (and
    the secret key): a new password, set anywhere, makes another hash, so the old session no longer matches."""
    from django.utils.crypto import salted_hmac

    from accounts import models as account_models

    django_settings_key = settings.SECRET_KEY
    monkeypatch.setattr(account_models, "_SESSION_HASHES", {})
    monkeypatch.setattr(account_models, "_SESSION_HASHES_KEPT", 2)
    client.force_login(educator)
    assert client.get(DASHBOARD).status_code == 200
    expected = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", educator.password, algorithm="sha256"
    ).hexdigest()
    assert client.session[HASH_SESSION_KEY] == educator.get_session_auth_hash() == expected
    settings.SECRET_KEY = "another key, after a rotation"
    assert educator.get_session_auth_hash() != expected  # not the hash kept for the key before
    settings.SECRET_KEY = django_settings_key
    assert len(account_models._SESSION_HASHES) <= 2  # bounded: the oldest went

    educator.set_password("a brand new passphrase")
    type(educator).objects.filter(pk=educator.pk).update(password=educator.password)  # elsewhere: another worker
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
