"""Passwords as production stores them: Argon2id at OWASP's minimum, older hashes upgraded at sign-in.

The rest of the suite hashes with MD5 for speed (tests/conftest.py); these tests put the production hasher
list back, so what they check is what `make run` and a deployment do.
"""

from __future__ import annotations

import importlib
from typing import Any

import argon2
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, identify_hasher
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.test_enumeration import _assert_comparable, _medians
from tests.conftest import PASSWORD

LOGIN = reverse("accounts:login")
OWASP = {"type": argon2.Type.ID, "memory_cost": 19456, "time_cost": 2, "parallelism": 1}


@pytest.fixture
def production_hashers(settings: Any) -> list[str]:
    hashers = list(importlib.import_module("microcred.settings").PASSWORD_HASHERS)
    settings.PASSWORD_HASHERS = hashers
    return hashers


def _assert_owasp_argon2id(encoded: str) -> None:
    algorithm, rest = encoded.split("$", 1)
    assert algorithm == "argon2"
    parameters = argon2.extract_parameters("$" + rest)
    assert {name: getattr(parameters, name) for name in OWASP} == OWASP
    assert argon2.PasswordHasher().verify("$" + rest, PASSWORD)


def _sign_in(client: Any, email: str, password: str, ip: str = "127.0.0.1") -> Any:
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_a_new_password_is_stored_as_argon2id_with_owasps_parameters(production_hashers, make_user):
    user = make_user("nora@example.org")

    _assert_owasp_argon2id(user.password)
    assert user.check_password(PASSWORD)
    assert not user.check_password("not the password")


class _WeakArgon2Hasher(Argon2PasswordHasher):
    """Argon2 hashes made with other parameters than ours, as an older setting would have left them."""

    memory_cost = 8
    time_cost = 1
    parallelism = 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "older_hash",
    [
        # Django's PBKDF2 (the hasher before this one); few iterations keep the test quick, and
        # verification reads the count from the hash.
        lambda: PBKDF2PasswordHasher().encode(PASSWORD, "pbkdf2salt12345678", iterations=1000),
        lambda: _WeakArgon2Hasher().encode(PASSWORD, "argon2salt12345678"),
    ],
    ids=["pbkdf2", "argon2-other-parameters"],
)
def test_an_older_hash_is_upgraded_when_its_owner_signs_in(client, production_hashers, educator, older_hash):
    User.objects.filter(pk=educator.pk).update(password=older_hash())

    # A wrong password changes nothing.
    assert _sign_in(client, educator.email, "not the password").status_code == 200
    educator.refresh_from_db()
    assert not educator.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")

    response = _sign_in(client, educator.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(educator.pk)
    educator.refresh_from_db()
    _assert_owasp_argon2id(educator.password)
    assert identify_hasher(educator.password).__class__.__name__ == "OwaspArgon2idHasher"

    # The upgraded hash signs in again, and is left as it is.
    client.logout()
    upgraded = educator.password
    assert _sign_in(client, educator.email, PASSWORD).status_code == 302
    educator.refresh_from_db()
    assert educator.password == upgraded


@pytest.mark.django_db
@pytest.mark.parametrize("closed", [False, True], ids=["open account", "closed account"])
def test_a_failed_sign_in_takes_as_long_for_an_unknown_address_as_for_a_known_one(
    production_hashers, educator, settings, django_capture_on_commit_callbacks, closed
):
    # A closed account (one waiting for deletion, say) has its password checked once more to offer the
    # cancel page; an unknown address must cost as much, or the timing would tell closed accounts apart.
    if closed:
        User.objects.filter(pk=educator.pk).update(is_active=False)
    # With the real hasher, the only costly step: ModelBackend hashes the password of an unknown address
    # with the first hasher, so that it takes as long as checking a known one's.
    settings.ACCOUNT_THROTTLES = {name: {"limit": 10_000, "window": 3600} for name in settings.ACCOUNT_THROTTLES}
    client = Client()

    def post(email: str, attempt: int) -> None:
        # A new address each time keeps django-axes from locking the known account part-way.
        assert _sign_in(client, email, "not the password", ip=f"10.0.{attempt % 200}.{attempt + 3}").status_code == 200

    rounds = iter(range(3))

    def measure() -> tuple[float, float]:
        batch = next(rounds) * 20
        return _medians(
            lambda n: post(educator.email, batch + n + 2),
            lambda n: post("nobody@example.org", batch + n + 2),
            django_capture_on_commit_callbacks,
        )

    _assert_comparable(measure)
