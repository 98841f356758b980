"""Whether anything a kept page was drawn from has changed since it was drawn, in one indexed read.

A page kept whole for a person (core/fragments.py) used to be checked against the rows it shows, read again on
every view: on the reviewer's queue and the issuer's pipeline that read was a third to two fifths of the page's
time. Here the database itself notes each write to the tables those pages are drawn from: a trigger on each
watched table inserts a row into core_change naming the scopes the write touches ("reviewer:12", "issuer:3", or
"names" for values many pages show, such as a credential's title). A page is kept with a mark read before it was
drawn, and is still good while no change of its scopes came after that mark.

Triggers rather than the application's saves, because every write goes through them: the ORM's saves, its
`update()` and bulk writes, cascades, the admin, another process, a maintenance script. Rows are only ever
inserted, so writers never wait on one another here: a counter per scope, updated in place, would have two
transactions that touch two scopes in opposite orders deadlock on PostgreSQL.

Why a change cannot be missed:
- SQLite has one writer at a time (every transaction begins IMMEDIATE), so rows are numbered in the order they are
  committed: any change committed after the mark was read has a greater id.
- PostgreSQL numbers rows as they are inserted, and a transaction can commit after another that inserted later. A
  mark there also holds what its snapshot could not see: the transactions then running and the first id not yet
  given out; each row holds its writer's transaction id. A write committed after the mark was read was made by a
  transaction running then or begun since, so its rows are found by that id whatever their number. (The reader's
  own transaction, if it has written, can be past the snapshot's xmax: its rows are told apart by their number.)
  The functions used came with PostgreSQL 13; Django 5.2 asks for 14.

The triggers are dropped before every `migrate` and made again after it (core/apps.py): SQLite will not rebuild or
drop a table that a trigger names, and drops a table's own triggers with it; and the test databases are made from
the models without migrations. What a migration writes goes unnoted, so making them also writes a change of the
scope every check includes (EVERYTHING); taking them off writes one (OFF) that leaves no mark trusted until they
are made again, so a migrate that fails half way costs the pages their shortcut, never a stale page.

Rows older than PRUNE_AFTER are deleted by `prune` (run by the hourly `reviews_tick`); kept pages live a day at
most (core.fragments.TIMEOUT), and a mark older than MARK_TRUSTED is not trusted.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

TABLE = "core_change"
# A scope every check includes: written after every migrate, whose data migrations run with the triggers off.
EVERYTHING = "*"
# Written when the triggers come off (before a migrate): while it is the log's last row no mark is trusted, so a
# migrate that fails half way, leaving them off, costs the pages their shortcut, never a stale page.
OFF = "*off"
EVENTS = frozenset({"insert", "update", "delete"})
# Changes are kept this long: longer than any kept page lives, so a page never outlives the rows that would show
# it changed.
PRUNE_AFTER = timedelta(days=2)
MARK_TRUSTED = 23 * 3600.0  # seconds


Scope = str | tuple[str, str]


@dataclass(frozen=True)
class Watch:
    """The writes to one table that change some kept page, and the scopes each one touches.

    `scopes` are SQL written over `{row}`, which stands for the written row (NEW, or OLD for a delete and the row
    an update replaced): each an expression giving one scope the write touches, as text (NULL for none), or an
    expression and the rest of a query (FROM ... WHERE ...) giving any number of them. `columns`: an update
    counts only when one of them changed (none: any update). `events`: which of insert, update and delete count."""

    table: str
    scopes: tuple[Scope, ...]
    columns: tuple[str, ...] = ()
    events: frozenset[str] = field(default=EVENTS)


_WATCHES: dict[str, Watch] = {}


def watch(table: str, *scopes: Scope, columns: Sequence[str] = (), events: Iterable[str] = EVENTS) -> None:
    """Notes the writes to `table` in the change log from the next `migrate` on (apps call this when ready)."""
    chosen = frozenset(events)
    if not scopes or not chosen or not chosen <= EVENTS:
        raise ValueError(f"{table}: a watch needs scopes and some of {sorted(EVENTS)}")
    if table in _WATCHES:
        raise ValueError(f"{table} is watched already")
    _WATCHES[table] = Watch(table, tuple(scopes), tuple(columns), chosen)


def watches() -> list[Watch]:
    return sorted(_WATCHES.values(), key=lambda w: w.table)


def _trigger(table: str) -> str:
    return f"core_change_{table}"


def _insert(w: Watch, row: str, *, postgres: bool) -> str:
    selects = " UNION ALL ".join(
        f"SELECT {scope.format(row=row)} AS s"
        if isinstance(scope, str)
        else f"SELECT {scope[0].format(row=row)} AS s {scope[1].format(row=row)}"
        for scope in w.scopes
    )
    touched = f"SELECT DISTINCT x.s FROM ({selects}) AS x WHERE x.s IS NOT NULL"
    if postgres:
        return (
            f"INSERT INTO {TABLE} (scope, xact, nonce, at) SELECT u.s, pg_current_xact_id()::text::bigint, "
            f"(random() * 9.2e18)::bigint, now() FROM ({touched}) AS u;"
        )
    return (
        f"INSERT INTO {TABLE} (scope, nonce, at) SELECT u.s, random(), strftime('%Y-%m-%d %H:%M:%f', 'now') "
        f"FROM ({touched}) AS u;"
    )


def _drops(w: Watch, *, postgres: bool) -> list[str]:
    name = _trigger(w.table)
    if postgres:
        return [f"DROP TRIGGER IF EXISTS {name}_{kind} ON {w.table}" for kind in ("write", "update")]
    return [f"DROP TRIGGER IF EXISTS {name}_{event}" for event in sorted(EVENTS)]


def sqlite_statements(w: Watch) -> list[str]:
    name = _trigger(w.table)
    statements = _drops(w, postgres=False)
    if "insert" in w.events:
        statements.append(
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {w.table} BEGIN {_insert(w, 'NEW', postgres=False)} END"
        )
    if "update" in w.events:
        when = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in w.columns)
        statements.append(
            f"CREATE TRIGGER {name}_update AFTER UPDATE ON {w.table} {f'WHEN {when} ' if when else ''}"
            f"BEGIN {_insert(w, 'NEW', postgres=False)} {_insert(w, 'OLD', postgres=False)} END"
        )
    if "delete" in w.events:
        statements.append(
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {w.table} BEGIN {_insert(w, 'OLD', postgres=False)} END"
        )
    return statements


def postgres_statements(w: Watch) -> list[str]:
    name = _trigger(w.table)
    body = (
        f"BEGIN IF TG_OP <> 'DELETE' THEN {_insert(w, 'NEW', postgres=True)} END IF; "
        f"IF TG_OP <> 'INSERT' THEN {_insert(w, 'OLD', postgres=True)} END IF; RETURN NULL; END"
    )
    statements = [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {body} $$",
        *_drops(w, postgres=True),
    ]
    written = " OR ".join(event.upper() for event in sorted(w.events - {"update"}))
    if written:
        statements.append(
            f"CREATE TRIGGER {name}_write AFTER {written} ON {w.table} FOR EACH ROW EXECUTE FUNCTION {name}()"
        )
    if "update" in w.events:
        when = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in w.columns)
        statements.append(
            f"CREATE TRIGGER {name}_update AFTER UPDATE ON {w.table} FOR EACH ROW "
            f"{f'WHEN ({when}) ' if when else ''}EXECUTE FUNCTION {name}()"
        )
    return statements


def install(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Makes (or remakes) every watched table's triggers in the database `using`; returns the tables done. A table
    that does not exist (yet, or any more, while migrations run back and forth) is left for the next migrate."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        if TABLE not in present:
            return []
        done = []
        for w in watches():
            if w.table not in present:
                continue
            for statement in postgres_statements(w) if postgres else sqlite_statements(w):
                cursor.execute(statement)
            done.append(w.table)
        # What migrations wrote went unnoted: no page kept before them is taken as it was.
        cursor.execute(_insert(Watch(TABLE, (f"'{EVERYTHING}'",)), "", postgres=postgres))
    return done


def uninstall(using: str = DEFAULT_DB_ALIAS) -> None:
    """Drops every watched table's triggers (before migrations run: a trigger that names a table a migration
    rebuilds or drops, core_change itself among them, would make that migration fail on SQLite); `install` makes
    them again."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        for w in watches():
            # SQLite drops a trigger whatever its table; PostgreSQL needs the table there.
            if connection.vendor == "sqlite" or w.table in present:
                for statement in _drops(w, postgres=connection.vendor == "postgresql"):
                    cursor.execute(statement)
        if TABLE in present:
            cursor.execute(_insert(Watch(TABLE, (f"'{OFF}'",)), "", postgres=connection.vendor == "postgresql"))


def installed(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The watched tables whose triggers are in the database (for tests and `manage.py check`-like diagnostics)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'core_change_%' AND NOT t.tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'core_change_%'"
            )
        return {row[0] for row in cursor.fetchall()}


@dataclass(frozen=True)
class Mark:
    """Where the change log stood: its last row (id and nonce; 0 and None when it was empty), and on PostgreSQL
    which writers it could not see yet: those then running, and those from its snapshot's xmax on, but for the
    reader's own transaction (`own`), whose writes it saw."""

    last: int
    nonce: int | None
    running: tuple[int, ...] = ()
    horizon: int | None = None
    own: int | None = None
    read_at: float = field(default_factory=time.time)


def mark(using: str = DEFAULT_DB_ALIAS) -> Mark:
    """The change log's mark now. Read it before reading what a page draws: whatever the page then reads was
    committed by the mark's time or is a change after it."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One snapshot for all: the rows it sees, the writers it does not (running, or begun after it).
            cursor.execute(
                "SELECT c.id, c.nonce, c.scope, pg_snapshot_xmax(n.s)::text::bigint, "
                "ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(n.s) AS x), "
                "pg_current_xact_id_if_assigned()::text::bigint "
                "FROM (SELECT pg_current_snapshot() AS s) AS n "
                f"LEFT JOIN (SELECT id, nonce, scope FROM {TABLE} ORDER BY id DESC LIMIT 1) AS c ON true"
            )
            last, nonce, scope, horizon, running, own = cursor.fetchone()
            if scope == OFF:
                last, nonce = 0, None
            return Mark(last or 0, nonce, tuple(running), int(horizon), own)
        cursor.execute(f"SELECT id, nonce, scope FROM {TABLE} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
        return Mark(row[0], row[1]) if row and row[2] != OFF else Mark(0, None)


@lru_cache(maxsize=64)
def _changed_sql(scopes: int, postgres: bool) -> str:
    within = f"scope IN ({', '.join(['%s'] * scopes)})"
    # The marked row still there as it was (its nonce): else the log went back, and nothing can be told from it.
    moved = f"NOT EXISTS (SELECT 1 FROM {TABLE} WHERE id = %s AND nonce = %s)"
    after = f"SELECT {moved} OR EXISTS (SELECT 1 FROM {TABLE} WHERE {within} AND id > %s)"
    if not postgres:
        return after
    # The reader's own later writes are numbered after the mark, so the id finds them.
    unseen = "(xact >= %s OR xact = ANY(%s)) AND xact IS DISTINCT FROM %s"
    return f"{after} OR EXISTS (SELECT 1 FROM {TABLE} WHERE {within} AND {unseen})"


def unchanged(scopes: Sequence[str], since: Mark, using: str = DEFAULT_DB_ALIAS) -> bool:
    """No write to any of `scopes` came after `since` (a mark from this database): one read of the log's index."""
    if not scopes or time.time() - since.read_at > MARK_TRUSTED:
        return False
    if since.last == 0:
        # An empty log has no row to name: a log that went back to empty would not be told apart.
        return False
    connection = connections[using]
    postgres = connection.vendor == "postgresql"
    if postgres and since.horizon is None:
        return False
    every = [*scopes, EVERYTHING, OFF]
    params: list[Any] = [since.last, since.nonce, *every, since.last]
    if postgres:
        params += [*every, since.horizon, list(since.running), since.own]
    with connection.cursor() as cursor:
        cursor.execute(_changed_sql(len(every), postgres), params)
        return not cursor.fetchone()[0]


def prune(using: str = DEFAULT_DB_ALIAS) -> int:
    """Deletes the changes older than PRUNE_AFTER; returns how many."""
    from core.models import Change

    deleted, _ = Change.objects.using(using).filter(at__lt=timezone.now() - PRUNE_AFTER).delete()
    return deleted
