"""Throttles on the ways in: password spraying from one network, and the email sign-up and reset send."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Throttle, User
from accounts.throttle import client_ip, client_network, throttle_take, throttle_take_distinct
from tests.conftest import PASSWORD

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
RESET = reverse("accounts:password_reset")
SIGNUP = reverse("accounts:signup")
SPRAYER = "198.51.100.66"


def _sign_in(client, email, password, ip=SPRAYER, url=LOGIN):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _limit(settings, rule):
    return settings.ACCOUNT_THROTTLES[rule]["limit"]


def _spray(client, settings, count=None):
    """One wrong password for each of `count` different accounts (by default, as many as the limit allows)."""
    for number in range(_limit(settings, "signin_network") if count is None else count):
        assert _sign_in(client, f"person{number}@example.org", "Winter2026!").status_code == 200


# --- password spraying ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_network_that_fails_on_many_accounts_is_paused_even_with_the_right_password(client, settings, educator):
    _spray(client, settings)

    refused = _sign_in(client, educator.email, PASSWORD)

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    html = refused.content.decode()
    assert "many different accounts from your network" in html
    assert "Try again in 15 minutes." in html
    # Everyone else is unaffected.
    assert _sign_in(Client(), educator.email, PASSWORD, ip="203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_is_paused_for_that_network_too(client, settings, platform_admin):
    _spray(client, settings)

    # The admin signs in on our sign-in page (so the throttles, axes and the second factor apply there too).
    sent = _sign_in(client, platform_admin.email, PASSWORD, url=ADMIN_LOGIN)
    assert sent.status_code == 302
    assert sent.url.startswith(LOGIN + "?next=")
    response = _sign_in(client, platform_admin.email, PASSWORD, url=sent.url)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_one_account_tried_many_times_counts_once_and_is_left_to_axes(client, settings, educator):
    settings.AXES_FAILURE_LIMIT = 100
    for _ in range(_limit(settings, "signin_network") + 3):
        _sign_in(client, educator.email, "a wrong guess")

    assert _sign_in(client, educator.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_few_different_accounts_from_one_school_network_are_fine(client, settings, educator):
    _spray(client, settings, count=_limit(settings, "signin_network") - 1)

    assert _sign_in(client, educator.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_pause_ends_with_its_window(client, settings, educator):
    _spray(client, settings)
    assert _sign_in(client, educator.email, PASSWORD).status_code == 429

    Throttle.objects.update(window_start=timezone.now() - timedelta(minutes=16))

    assert _sign_in(client, educator.email, PASSWORD).status_code == 302


# --- password reset ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_address_gets_at_most_a_few_reset_emails_an_hour_and_the_same_answer(
    client, settings, educator, committed, outbox
):
    limit = _limit(settings, "reset_address")
    answers = []
    for _ in range(limit + 2):
        with committed():
            answers.append(client.post(RESET, {"email": educator.email}))

    assert {(answer.status_code, answer.url) for answer in answers} == {(302, reverse("accounts:password_reset_done"))}
    assert len(outbox) == limit
    # Another person's address is counted apart.
    other = User.objects.create_user(email="olga@example.org", password=PASSWORD, name="Olga")
    with committed():
        client.post(RESET, {"email": other.email})
    assert outbox[-1].to == ["olga@example.org"]


@pytest.mark.django_db
def test_a_network_that_asks_for_many_resets_is_told_to_wait(client, settings):
    settings.ACCOUNT_THROTTLES = {**settings.ACCOUNT_THROTTLES, "reset_network": {"limit": 3, "window": 3600}}
    for number in range(3):
        assert client.post(RESET, {"email": f"someone{number}@example.org"}, REMOTE_ADDR=SPRAYER).status_code == 302

    refused = client.post(RESET, {"email": "one.more@example.org"}, REMOTE_ADDR=SPRAYER)

    assert refused.status_code == 429
    assert "paused them for a while" in refused.content.decode()
    assert client.post(RESET, {"email": "one.more@example.org"}, REMOTE_ADDR="203.0.113.9").status_code == 302


# --- sign-up -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_network_that_makes_many_accounts_is_told_to_wait(client, settings):
    settings.ACCOUNT_THROTTLES = {**settings.ACCOUNT_THROTTLES, "signup_network": {"limit": 2, "window": 3600}}

    def sign_up(number, ip=SPRAYER):
        data = {
            "name": "N",
            "email": f"new{number}@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "age_bracket": "18_plus",
        }
        return Client().post(SIGNUP, data, REMOTE_ADDR=ip)

    assert [sign_up(n).status_code for n in range(2)] == [302, 302]
    refused = sign_up(2)

    assert refused.status_code == 429
    assert "paused sign-up from it" in refused.content.decode()
    assert not User.objects.filter(email="new2@example.org").exists()
    assert sign_up(3, ip="203.0.113.9").status_code == 302


# --- the counters themselves ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_counter_allows_its_limit_per_window_and_stores_no_address(settings):
    settings.ACCOUNT_THROTTLES = {"test": {"limit": 2, "window": 60}}

    assert [throttle_take(rule="test", key="edna@example.org") for _ in range(3)] == [True, True, False]
    assert throttle_take(rule="test", key="eli@example.org")
    assert "edna" not in str(list(Throttle.objects.values()))

    Throttle.objects.update(window_start=timezone.now() - timedelta(seconds=61))
    assert throttle_take(rule="test", key="edna@example.org")


@pytest.mark.django_db
def test_a_distinct_counter_counts_each_member_once(settings):
    settings.ACCOUNT_THROTTLES = {"test": {"limit": 2, "window": 60}}

    taken = [throttle_take_distinct(rule="test", key="net", member=m) for m in ["a", "a", "b", "b", "c", "a"]]

    assert taken == [True, True, True, True, False, True]


@pytest.mark.django_db
def test_old_counters_are_swept_when_new_ones_are_made(settings):
    settings.ACCOUNT_THROTTLES = {"test": {"limit": 2, "window": 60}}
    throttle_take(rule="test", key="old")
    Throttle.objects.update(window_start=Throttle.objects.get().window_start - timedelta(hours=1))

    throttle_take(rule="test", key="new")

    assert Throttle.objects.count() == 1


@pytest.mark.parametrize(
    ("remote", "network"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_a_network_is_an_ipv4_address_or_an_ipv6_slash_64(rf, remote, network):
    assert client_network(rf.get("/", REMOTE_ADDR=remote)) == network


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; races need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_requests_racing_for_the_last_hits_of_a_window_get_exactly_the_limit(settings):
    settings.ACCOUNT_THROTTLES = {"test": {"limit": 3, "window": 60}}
    barrier = threading.Barrier(8)
    outcomes: list[bool] = []

    def take() -> None:
        try:
            barrier.wait()
            outcomes.append(throttle_take(rule="test", key="one address"))
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [False] * 5 + [True] * 3
    assert Throttle.objects.get().hits == 3


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "", "10.0.0.1"),
        (0, "198.51.100.7", "10.0.0.1"),  # no proxy trusted: a client's header is ignored
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # what the client wrote before the balancer is not read
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (1, "", "10.0.0.1"),  # reached directly, not through the balancer
    ],
)
def test_the_client_address_is_read_behind_as_many_proxies_as_are_trusted(rf, settings, proxies, forwarded, address):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == address
    assert client_network(request) == address


@pytest.mark.django_db
def test_behind_a_balancer_each_visitor_is_counted_apart_by_axes_and_the_throttles(client, settings, educator):
    settings.TRUSTED_PROXY_COUNT = 1
    balancer = "10.0.0.1"

    def sign_in(password, visitor):
        data = {"username": educator.email, "password": password}
        return client.post(LOGIN, data, REMOTE_ADDR=balancer, HTTP_X_FORWARDED_FOR=visitor)

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("a wrong guess", "198.51.100.66")
    assert sign_in(PASSWORD, "198.51.100.66").status_code == 429
    assert sign_in(PASSWORD, "203.0.113.9").status_code == 302
