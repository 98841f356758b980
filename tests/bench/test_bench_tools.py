"""The bench's own tools: the cache that keeps the template and the grown databases between runs, the fast
value preparation that grows them, and the table's verdict on repeated verification."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from bench import seed, throwaway
from bench.table import _verify_repeat


@pytest.fixture
def bench_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MICROCRED_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(throwaway.NO_CACHE, raising=False)
    return tmp_path / "cache"


@pytest.mark.once
def test_the_digest_follows_the_code_that_made_the_database(tmp_path: Path) -> None:
    seeding = throwaway.ROOT / "bench" / "seed.py"
    before = throwaway.source_digest(seeding)
    assert throwaway.source_digest(seeding) == before
    assert throwaway.source_digest() != before
    # The tests are not what a database is made from: a file added among them leaves the digest as it was.
    assert "tests" in throwaway.NOT_SOURCES


@pytest.mark.once
def test_a_stored_entry_is_found_with_its_secrets_and_older_ones_are_pruned(bench_cache: Path, tmp_path: Path) -> None:
    made = tmp_path / "made"
    made.mkdir()
    (made / "bench.sqlite3").write_bytes(b"database")
    (made / "issuer_key_encryption_key").write_text("key")
    assert throwaway.cache_find("scale", "one") is None
    stored = throwaway.cache_store("scale", "one", made, ["bench.sqlite3"])
    assert stored is not None
    assert throwaway.cache_find("scale", "one") == stored
    assert (stored / "bench.sqlite3").read_bytes() == b"database"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    throwaway.secrets_copy(stored, elsewhere)
    assert (elsewhere / "issuer_key_encryption_key").read_text() == "key"
    for digest in ("two", "three", "four"):
        throwaway.cache_store("scale", digest, made, ["bench.sqlite3"])
    # Three kept: the newest and the two before it.
    assert sorted(p.name for p in bench_cache.glob("scale-*")) == ["scale-four", "scale-three", "scale-two"]


@pytest.mark.once
def test_no_cache_keeps_and_finds_nothing(bench_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = tmp_path / "made"
    made.mkdir()
    (made / "bench.sqlite3").write_bytes(b"database")
    throwaway.cache_store("template", "same", made, ["bench.sqlite3"])
    monkeypatch.setenv(throwaway.NO_CACHE, "1")
    assert throwaway.cache_find("template", "same") is None
    assert throwaway.cache_store("template", "other", made, ["bench.sqlite3"]) is None
    assert not (bench_cache / "template-other").exists()


def unwrapped(value: object) -> object:
    return getattr(value, "obj", value)


@pytest.mark.django_db
def test_grown_values_are_prepared_as_django_prepares_them() -> None:
    from accounts.models import User
    from awards.models import Badge
    from reviews.models import Assignment, Seat
    from submissions.models import Attempt, Submission

    moment = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    samples = [0, 7, "text", "", True, False, None, moment, moment + timedelta(days=3), uuid.uuid4()]
    checked = 0
    for model in (User, Submission, Attempt, Seat, Assignment, Badge):
        for field in model._meta.concrete_fields:
            prepare = seed._preparer(field, connection, {})
            for value in samples:
                try:
                    expected = field.get_db_prep_save(value, connection)
                except (TypeError, ValueError, AttributeError, ValidationError):
                    continue  # not a value this column takes
                # PostgreSQL's JSON wrapper (psycopg's Jsonb) has no equality of its own: compare what it wraps.
                assert unwrapped(prepare(value)) == unwrapped(expected), (model.__name__, field.name, value)
                checked += 1
    assert checked > 100


@pytest.mark.once
def test_repeated_verification_is_met_only_when_every_form_reaches_the_target() -> None:
    figures = {
        "repeat verify, JSON text (/s)": 9000.0,
        "repeat verify, JSON object (/s)": 4999.0,
        "repeat verify, VC-JWT (/s)": 8000.0,
    }
    (row,) = _verify_repeat(figures)
    assert row.met == "NO"
    assert "4,999/s JSON object" in row.versus
    (row,) = _verify_repeat({**figures, "repeat verify, JSON object (/s)": 5000.0})
    assert row.met == "yes"


@pytest.mark.once
def test_the_web_layer_is_left_out_of_the_digest_but_its_migrations_and_emails_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    for name in ("pages/views.py", "pages/migrations/0001_initial.py", "templates/emails/x/body.txt", "core/a.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("one")
    monkeypatch.setattr(throwaway, "ROOT", root)
    before = throwaway.source_digest()
    (root / "pages" / "views.py").write_text("two")
    (root / "templates" / "page.html").write_text("two")
    assert throwaway.source_digest() == before
    for name in ("pages/migrations/0001_initial.py", "templates/emails/x/body.txt", "core/a.py"):
        (root / name).write_text("two")
        changed = throwaway.source_digest()
        assert changed != before
        before = changed
