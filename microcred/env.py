"""Strict readers for environment variables.

Every setting that comes from the environment goes through one of these, so a
typo in production stops start-up with the variable's name instead of running
with a silently guessed value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import ngettext

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None) -> str | None:
    value = _raw(name, environ)
    return default if value is None else value


def env_required(name: str, *, why: str, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    if value is None:
        raise ImproperlyConfigured(f"{name} must be set: {why}")
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum of {maximum}")
    return number


def env_choice(name: str, choices: list[str], default: str, *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}")
    return value


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item: separate values with single commas")
    return items


def env_hosts(
    name: str, default: list[str], *, allow_wildcard: bool, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Host names as ALLOWED_HOSTS takes them. Without allow_wildcard a bare "*" is refused: it turns off Django's
    Host header check, the guard against poisoned caches and against requests meant for some other site."""
    hosts = env_list(name, default, environ=environ)
    if not allow_wildcard and "*" in hosts:
        raise ImproperlyConfigured(
            f"{name}=* accepts any Host header, which production refuses: name the public host(s), as in "
            f"{name}=microcred.example.org (a leading dot, .example.org, allows that domain and its subdomains)"
        )
    return hosts


def env_database(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    import dj_database_url

    value = _raw(name, environ) or default
    scheme = urlsplit(value).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name}={value!r}: the scheme must be sqlite:// or postgres:// (got {scheme or 'none'!r})"
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={value!r} is not a database URL: {error}") from None
    # Each query prepared once per connection (after its fifth run), so PostgreSQL stops planning it again on
    # every request: planning took most of a signed-in page's database time, 1.2 to 1.9 ms a page on the bench's
    # database against 0.2 to 0.5 ms of running the queries. Needs the parameters bound by the server. A pooler in
    # transaction mode (PgBouncer before 1.21) cannot keep a connection's prepared statements: set
    # DATABASE_PREPARED_STATEMENTS=0 behind one.
    if scheme != "sqlite" and env_bool("DATABASE_PREPARED_STATEMENTS", True, environ=environ):
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "server_side_binding": True, "prepare_threshold": 5}
    if scheme == "sqlite":
        # Django's backend with each statement's placeholders rewritten once (core/backends/sqlite3).
        config["ENGINE"] = "core.backends.sqlite3"
        # Kept between requests, as PostgreSQL's are: opening a SQLite connection (its pragmas, then reading the
        # schema of every table on first use) cost about 1.4 ms a request, more than most of our pages take.
        config["CONN_MAX_AGE"] = 60
        # The test database is a file too: in-memory SQLite's shared cache answers "table is locked" at
        # once instead of waiting, which the live server used by the browser tests runs into. The pid keeps
        # two test runs on one checkout (xdist workers get their own suffix as well) out of each other's way.
        db_file = Path(config["NAME"])
        config["TEST"] = {"NAME": str(db_file.with_name(f"test-{os.getpid()}-{db_file.name}"))}
        config["OPTIONS"] = {
            # WAL: readers never wait for the writer, nor the writer for readers. synchronous=NORMAL is the
            # setting SQLite advises with WAL: a commit no longer waits for an fsync of its own (only
            # checkpoints do), the file stays consistent whatever happens, and a crash of the server process
            # loses nothing; only a power cut or OS crash can drop the last few commits. That is the right
            # trade for the embedded default; PostgreSQL, the production database, keeps full durability.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # Every transaction takes the write lock when it begins, so a transaction that reads and then
            # writes cannot fail on the upgrade with "database is locked"; it waits in line instead. This is
            # what serialises writers on SQLite, which has no row locks (see submissions/services/_common.py).
            "transaction_mode": "IMMEDIATE",
            # Seconds a statement waits for the write lock before giving up: longer than any burst of
            # concurrent autosaves queues for, short enough that a stuck writer shows up as an error.
            "timeout": 20,
        }
    return config


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    file_path: str = ""


_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
}


def env_email(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> EmailConfig:
    """Parse EMAIL_URL: console://, locmem://, dummy://, file:///path, smtp://user:pass@host:587?tls=1, smtps://…"""
    value = _raw(name, environ) or default
    parts = urlsplit(value)
    scheme = parts.scheme
    if scheme not in _EMAIL_BACKENDS:
        raise ImproperlyConfigured(f"{name}={value!r}: the scheme must be one of {', '.join(sorted(_EMAIL_BACKENDS))}")
    backend = _EMAIL_BACKENDS[scheme]
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"{name}={value!r}: file:// needs a folder, as in file:///var/mail/microcred")
        return EmailConfig(backend=backend, file_path=parts.path)
    if scheme not in {"smtp", "smtps", "submission"}:
        return EmailConfig(backend=backend)
    if not parts.hostname:
        raise ImproperlyConfigured(
            f"{name}={value!r}: an SMTP URL needs a host, as in smtp://user:pass@mail.example.org:587"
        )
    try:
        port = parts.port or {"smtp": 25, "smtps": 465, "submission": 587}[scheme]
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: the port is not a number") from None
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"tls", "ssl"}
    if unknown:
        raise ImproperlyConfigured(
            f"{name}={value!r}: "
            + ngettext("unknown option", "unknown options", len(unknown))
            + f" {', '.join(sorted(unknown))}; use tls=1 or ssl=1"
        )
    for key, flag in query.items():
        if flag not in _TRUE | _FALSE:
            raise ImproperlyConfigured(f"{name}={value!r}: {key}={flag!r} is not a boolean")
    use_ssl = scheme == "smtps" or query.get("ssl") in _TRUE
    use_tls = scheme == "submission" or query.get("tls") in _TRUE
    if use_ssl and use_tls:
        raise ImproperlyConfigured(f"{name}={value!r}: choose either tls or ssl, not both")
    return EmailConfig(
        backend=backend,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
    )


def env_fernet_keys(name: str, *, environ: Mapping[str, str] | None = None) -> list[str] | None:
    """Comma-separated Fernet keys (each the URL-safe base64 of 32 random bytes), newest first; None if unset.

    The first key encrypts; every key decrypts, so a key-encryption key can be rotated by putting the new
    one in front and re-encrypting at leisure."""
    import base64
    import binascii

    value = _raw(name, environ)
    if value is None:
        return None
    keys = [item.strip() for item in value.split(",")]
    for position, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"{name}: key {position} is not a Fernet key (URL-safe base64 of 32 bytes); make one with "
                'python -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
            )
    return keys
