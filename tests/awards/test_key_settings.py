"""ISSUER_KEY_ENCRYPTION_KEY: required in production, checked strictly, generated under var/ in development."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from microcred.env import env_fernet_keys
from tests.test_settings import PRODUCTION_ENV, _manage

KEY = "q4mXv2m0pQ6pZ3Jm7vH9cU1sN8bT5yW2eR4tY6uI0oA="


def test_production_refuses_to_start_without_the_key_encryption_key(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ISSUER_KEY_ENCRYPTION_KEY"}
    result = _manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ISSUER_KEY_ENCRYPTION_KEY must be set" in result.stderr


def test_development_generates_the_key_encryption_key_under_var(tmp_path):
    result = _manage("check", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "issuer_key_encryption_key"
    assert env_fernet_keys("K", environ={"K": path.read_text()}) == [path.read_text()]
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_several_keys_rotate_the_key_encryption_key():
    assert env_fernet_keys("K", environ={"K": f"{KEY}, {KEY}"}) == [KEY, KEY]
    assert env_fernet_keys("K", environ={}) is None


@pytest.mark.parametrize("value", ["short", "not base64 at all!!", KEY + ",", KEY[:-4]])
def test_a_key_that_is_not_a_fernet_key_is_refused_naming_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match=r"^K: key \d is not a Fernet key"):
        env_fernet_keys("K", environ={"K": value})
