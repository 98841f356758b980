"""Settings come from the environment through strict helpers; a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from microcred.env import (
    env_bool,
    env_choice,
    env_database,
    env_email,
    env_hosts,
    env_int,
    env_list,
    env_required,
)

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "MICROCRED_ENV": "production",
    "SECRET_KEY": "x" * 30 + "-production-secret-for-the-check-deploy-test-0123456789",
    "ALLOWED_HOSTS": "microcred.example.org",
    "SITE_URL": "https://microcred.example.org",
    "EMAIL_URL": "smtp://mailer:s3cret@mail.example.org:587?tls=1",
    "ISSUER_KEY_ENCRYPTION_KEY": "q4mXv2m0pQ6pZ3Jm7vH9cU1sN8bT5yW2eR4tY6uI0oA=",
}


def _manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "MICROCRED_"))}
    clean.update({"MICROCRED_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("true", True), ("YES", True), ("off", False), ("0", False)]
)
def test_it_reads_booleans(value: str, expected: bool) -> None:
    assert env_bool("DEBUG", False, environ={"DEBUG": value}) is expected


def test_it_rejects_a_boolean_it_cannot_read() -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False, environ={"DEBUG": "maybe"})


def test_it_uses_the_default_for_an_empty_value() -> None:
    assert env_bool("DEBUG", True, environ={"DEBUG": "  "}) is True
    assert env_list("ALLOWED_HOSTS", ["a"], environ={}) == ["a"]


def test_it_rejects_numbers_out_of_range_and_words() -> None:
    with pytest.raises(ImproperlyConfigured, match="PORT='eighty' is not a whole number"):
        env_int("PORT", 8000, environ={"PORT": "eighty"})
    with pytest.raises(ImproperlyConfigured, match="AXES_FAILURE_LIMIT=0 is below the minimum of 1"):
        env_int("AXES_FAILURE_LIMIT", 5, minimum=1, environ={"AXES_FAILURE_LIMIT": "0"})


def test_it_rejects_an_unknown_choice_listing_the_valid_ones() -> None:
    with pytest.raises(ImproperlyConfigured, match="TASK_BACKEND='celery' is not one of: immediate, database"):
        env_choice("TASK_BACKEND", ["immediate", "database"], "immediate", environ={"TASK_BACKEND": "celery"})


def test_it_rejects_a_list_with_an_empty_item() -> None:
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS='a,,b' has an empty item"):
        env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a,,b"})


def test_it_refuses_a_wildcard_host_where_asked_to() -> None:
    assert env_hosts("ALLOWED_HOSTS", [], allow_wildcard=False, environ={"ALLOWED_HOSTS": ".x.org,y.org"}) == [
        ".x.org",
        "y.org",
    ]
    assert env_hosts("ALLOWED_HOSTS", [], allow_wildcard=True, environ={"ALLOWED_HOSTS": "*"}) == ["*"]
    with pytest.raises(ImproperlyConfigured, match=r"ALLOWED_HOSTS=\* accepts any Host header"):
        env_hosts("ALLOWED_HOSTS", [], allow_wildcard=False, environ={"ALLOWED_HOSTS": "x.org,*"})


def test_it_requires_what_production_needs() -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        env_required("SECRET_KEY", why="production needs its own secret key", environ={})


def test_it_parses_database_urls() -> None:
    pg = env_database("DATABASE_URL", "sqlite:///x.db", environ={"DATABASE_URL": "postgres://u:p@db:5433/mc"})
    assert (pg["ENGINE"], pg["NAME"], pg["HOST"], pg["PORT"], pg["USER"]) == (
        "django.db.backends.postgresql",
        "mc",
        "db",
        5433,
        "u",
    )
    lite = env_database("DATABASE_URL", "sqlite:////tmp/a.sqlite3", environ={})
    # Django's SQLite backend with each statement's placeholders rewritten once (core/backends/sqlite3).
    assert lite["ENGINE"] == "core.backends.sqlite3"
    assert lite["NAME"] == "/tmp/a.sqlite3"


def test_postgresql_prepares_its_queries_unless_a_pooler_forbids_it() -> None:
    url = {"DATABASE_URL": "postgres://u:p@db:5433/mc"}
    options = env_database("DATABASE_URL", "sqlite:///x.db", environ=url)["OPTIONS"]
    assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 5)
    off = env_database("DATABASE_URL", "sqlite:///x.db", environ={**url, "DATABASE_PREPARED_STATEMENTS": "0"})
    assert "server_side_binding" not in off.get("OPTIONS", {})
    assert "prepare_threshold" not in off.get("OPTIONS", {})
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PREPARED_STATEMENTS='sometimes' is not a boolean"):
        env_database("DATABASE_URL", "sqlite:///x", environ={**url, "DATABASE_PREPARED_STATEMENTS": "sometimes"})
    assert "server_side_binding" not in env_database("DATABASE_URL", "sqlite:////tmp/a.sqlite3", environ={})["OPTIONS"]


def test_it_rejects_an_unsupported_database() -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL='mysql://x/y': the scheme must be sqlite"):
        env_database("DATABASE_URL", "sqlite:///x", environ={"DATABASE_URL": "mysql://x/y"})


def test_it_parses_email_urls() -> None:
    assert env_email("EMAIL_URL", "console://", environ={}).backend.endswith("console.EmailBackend")
    smtp = env_email("EMAIL_URL", "console://", environ={"EMAIL_URL": "smtp://me%40x.org:p%2Fw@mail.x.org:2525?tls=1"})
    assert (smtp.host, smtp.port, smtp.user, smtp.password, smtp.use_tls, smtp.use_ssl) == (
        "mail.x.org",
        2525,
        "me@x.org",
        "p/w",
        True,
        False,
    )
    assert env_email("EMAIL_URL", "", environ={"EMAIL_URL": "smtps://mail.x.org"}).port == 465


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("pigeon://coop", "the scheme must be one of"),
        ("smtp://", "an SMTP URL needs a host"),
        ("smtp://mail.x.org?starttls=1", "unknown option starttls"),
        ("smtp://mail.x.org?tls=1&ssl=1", "choose either tls or ssl"),
        ("file://", "file:// needs a folder"),
    ],
)
def test_it_rejects_bad_email_urls(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=rf"EMAIL_URL=.*{message.replace('(', '.').replace(')', '.')}"):
        env_email("EMAIL_URL", "console://", environ={"EMAIL_URL": url})


def test_start_up_stops_on_a_bad_value_naming_the_variable(tmp_path: Path) -> None:
    result = _manage("check", env={"DEBUG": "perhaps"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_generates_a_secret_key_kept_out_of_git(tmp_path: Path) -> None:
    result = _manage("check", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_check_deploy_reports_only_the_static_files_before_they_are_collected(tmp_path: Path) -> None:
    # Once `make production-setup` has collected them it reports nothing: tests/ops/test_production.py.
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "(ops.E001) The static files have not been collected" in result.stderr
    # The one silenced check is DOT's warning of http redirect URIs (microcred/settings/signin.py says why).
    assert "System check identified 1 issue (1 silenced)." in result.stderr


def test_collectstatic_gathers_what_pages_load_and_leaves_out_what_none_does() -> None:
    from django.contrib.staticfiles.finders import find, get_finders

    collected = {path for finder in get_finders() for path, _storage in finder.list([])}
    # What the pages, the API docs page and the admin (DEBUG off) load.
    for loaded in (
        "css/site.css",
        "django_htmx/htmx-2.min.js",
        "ninja/swagger-ui-bundle.js",
        "ninja/swagger-ui.css",
        "admin/js/vendor/jquery/jquery.min.js",
        "admin/js/vendor/select2/select2.full.min.js",
        "admin/js/vendor/xregexp/xregexp.min.js",
    ):
        assert loaded in collected, loaded
    for unused in (
        "ninja/redoc.standalone.js",
        "django_htmx/htmx-4.js",
        "django_htmx/htmax-4.min.js",
        "django_htmx/htmx-2.js",
        "django_htmx/ext/hx-head-2.js",
        "admin/js/vendor/jquery/jquery.js",
    ):
        assert unused not in collected, unused
        assert find(unused), f"{unused} is still served by name where the apps' folders are served (development)"
