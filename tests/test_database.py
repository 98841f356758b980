"""SQLite as the embedded default holds concurrent requests: WAL, a busy timeout, writers in line.

These look at real connections to the test database (a file, as the default database is), because a
setting that never reaches the connection protects nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import OperationalError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from accounts.models import User

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite settings of the embedded default")


@pytest.fixture
def fresh(db: None) -> Iterator[BaseDatabaseWrapper]:
    """A second connection to the same database, opened the way every request's connection is."""
    other = connection.copy()
    other.ensure_connection()
    yield other
    other.close()


def _pragma(wrapper: BaseDatabaseWrapper, name: str) -> object:
    with wrapper.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_a_fresh_connection_is_in_wal_mode_with_a_busy_timeout(fresh):
    assert _pragma(fresh, "journal_mode") == "wal"
    assert _pragma(fresh, "busy_timeout") == 20_000
    assert _pragma(fresh, "synchronous") == 1  # NORMAL


def test_a_request_leaves_its_connection_open_for_the_next_one(fresh):
    """What Django does at the end of each request (close_if_unusable_or_obsolete, on request_finished) keeps the
    connection: opening one costs more than most pages take."""
    with fresh.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user")
    opened = fresh.connection
    fresh.close_if_unusable_or_obsolete()
    assert opened is not None
    assert fresh.connection is opened


def test_a_transaction_takes_the_write_lock_when_it_begins(fresh):
    # Only a read inside the transaction: with SQLite's default (DEFERRED) another writer could still go
    # first and this transaction's later write would fail at once with "database is locked".
    with transaction.atomic():
        User.objects.exists()
        with fresh.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 50")
            with pytest.raises(OperationalError, match="locked"):
                cursor.execute("BEGIN IMMEDIATE")


def test_a_reader_is_not_held_up_by_a_writer(fresh, make_user):
    with transaction.atomic():
        make_user("wanda@example.org")
        with fresh.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 50")
            cursor.execute("SELECT count(*) FROM accounts_user WHERE email = 'wanda@example.org'")
            # The writer has not committed: the reader sees the database as it was, without waiting.
            assert cursor.fetchone()[0] == 0


def test_the_last_connection_to_close_leaves_the_write_ahead_log_in_place(db, tmp_path):
    """Request connections close now and then (at their age, with their thread); the connection the process keeps
    open (core/sqlite.py) means none of them is the last, so closing one neither checkpoints the log nor removes it
    and its index."""
    from core.sqlite import kept_files

    database = tmp_path / "kept.sqlite3"
    database.touch()  # a file: what keep_open looks for (an in-memory database has no log)
    first = connection.copy()
    first.settings_dict = {**first.settings_dict, "NAME": str(database)}
    first.ensure_connection()
    assert str(database.resolve()) in kept_files()
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n INTEGER)")
        cursor.execute("INSERT INTO t VALUES (1)")
    first.close()
    # Without the kept connection SQLite removes both files as the last connection closes.
    assert (tmp_path / "kept.sqlite3-wal").exists()
    assert (tmp_path / "kept.sqlite3-shm").exists()
    second = connection.copy()
    second.settings_dict = {**second.settings_dict, "NAME": str(database)}
    with second.cursor() as cursor:
        cursor.execute("SELECT n FROM t")
        assert cursor.fetchall() == [(1,)]
    second.close()


def test_a_statement_s_placeholders_are_rewritten_once_for_all_its_runs(db, make_user):
    from core.backends.sqlite3.base import qmark

    user = make_user("placeholders@example.org")
    # A text of its own, so no earlier test has rewritten it already.
    statement = 'SELECT "id", \'100%%\' FROM "accounts_user" WHERE "id" = %s AND "email" LIKE %s -- once'
    before = qmark.cache_info()
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute(statement, [user.pk, "%@%"])
            assert cursor.fetchall() == [(user.pk, "100%")]
    after = qmark.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


def test_placeholders_are_rewritten_exactly_as_django_s_own_cursor_does(db):
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    from core.backends.sqlite3.base import qmark

    for statement in ("SELECT %s", "SELECT '%%s', %s, '%%'", "SELECT 1", "UPDATE t SET a = %s WHERE b LIKE '%%x'"):
        assert qmark(statement) == SQLiteCursorWrapper.convert_query(None, statement)  # type: ignore[arg-type]
    # Named parameters keep Django's own path.
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(a)s + %(b)s", {"a": 2, "b": 3})
        assert cursor.fetchone() == (5,)
