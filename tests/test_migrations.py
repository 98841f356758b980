"""The models and the migrations describe one schema.

The suite builds its test databases from the models (`--nomigrations`), while every real database is built by
the migrations: this is what makes the two the same, and what stops a model change from shipping without its
migration."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from contextlib import ExitStack
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from tests.ops.databases import fresh_postgres_database

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_every_model_change_has_its_migration(settings: Any) -> None:
    settings.MIGRATION_MODULES = {}
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"models and migrations differ (exit {exit_.code}); run makemigrations:\n{out.getvalue()}")


# ----- a new database made from the models (ops/schema.py) is the one the migrations make --------------------------


def _setup(command: list[str], database_url: str, var: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "MICROCRED_VAR_DIR": str(var)}
    done = subprocess.run(
        [sys.executable, "manage.py", *command, "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# A named CHECK or UNIQUE clause of a CREATE TABLE, with one level of parentheses inside.
NAMED_CONSTRAINT = r'CONSTRAINT "[^"]+" (?:CHECK|UNIQUE) \((?:[^()]|\([^()]*\))*\)'


def _sqlite_schema(path: Path) -> dict[str, Any]:
    """Each table's columns, indexes, foreign keys and named constraints, in an order neither way of making it
    decides (a migration that adds a column puts it last; the models put it where the field is declared)."""
    with sqlite3.connect(path) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        schema: dict[str, Any] = {}
        for table in tables:
            sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0] or ""
            indexes = []
            for _, name, unique, origin, partial in db.execute(f'PRAGMA index_list("{table}")'):
                columns = tuple(row[2] for row in db.execute(f'PRAGMA index_info("{name}")'))
                made = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()
                # SQLite names the indexes of a table's own UNIQUE clauses by their place in it.
                indexes.append((None if origin != "c" else name, unique, origin, partial, columns, made and made[0]))
            schema[table] = {
                "columns": sorted(tuple(row[1:]) for row in db.execute(f'PRAGMA table_info("{table}")')),
                "indexes": sorted(indexes, key=repr),
                "foreign keys": sorted(tuple(row[2:]) for row in db.execute(f'PRAGMA foreign_key_list("{table}")')),
                "constraints": sorted(
                    re.findall(r'CONSTRAINT "[^"]+" (?:CHECK|UNIQUE) \((?:[^()]|\([^()]*\))*\)', sql)
                ),
            }
    return schema


# Where the two differ on PostgreSQL, and why it does not matter. Names: a renamed model keeps the names its table's
# constraints and indexes were made with, where a new table's follow the new name; Django finds a constraint by its
# columns, never by its name, so the next migration finds either. The key of auth's group-permission links: auth's
# migrations made it a bigint, its model (in the through table Django makes) an integer, for a table of a few hundred
# rows; nothing refers to it.
POSTGRES_WIDTHS = {("auth_group_permissions", "id"): {"bigint", "integer"}}


def _postgres_schema(url: str) -> dict[str, Any]:
    """Each column, each index by its definition and each constraint by its kind and definition, their names left
    out (above)."""
    import psycopg

    with psycopg.connect(url) as db:
        columns = db.execute(
            """SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default,
                      is_identity FROM information_schema.columns WHERE table_schema = 'public'"""
        ).fetchall()
        indexes = db.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        constraints = db.execute(
            """SELECT conrelid::regclass::text, contype, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE connamespace = 'public'::regnamespace"""
        ).fetchall()
        return {
            "columns": sorted(
                (table, column, "either" if kind in POSTGRES_WIDTHS.get((table, column), ()) else kind, *rest)
                for table, column, kind, *rest in columns
            ),
            "indexes": sorted((table, definition.replace(f" {name} ", " ")) for table, name, definition in indexes),
            "constraints": sorted(constraints),
        }


@pytest.mark.slow
@pytest.mark.each_engine
def test_a_new_database_made_from_the_models_is_the_one_the_migrations_make(tmp_path: Path) -> None:
    with ExitStack() as stack:
        if connection.vendor == "sqlite":
            urls = {way: f"sqlite:///{tmp_path / way}.sqlite3" for way in ("migrated", "made")}
        else:
            urls = {way: stack.enter_context(fresh_postgres_database(way)) for way in ("migrated", "made")}
        _setup(["migrate", "--noinput"], urls["migrated"], tmp_path)
        _setup(["database_setup"], urls["made"], tmp_path)
        # Every migration recorded: the next migrate has nothing to do (--check fails where it would).
        _setup(["migrate", "--check"], urls["made"], tmp_path)
        if connection.vendor == "sqlite":
            migrated, made = (_sqlite_schema(tmp_path / f"{way}.sqlite3") for way in ("migrated", "made"))
        else:
            migrated, made = (_postgres_schema(urls[way]) for way in ("migrated", "made"))
    assert migrated.keys() == made.keys()
    for part in migrated:
        assert made[part] == migrated[part], part
    tables = set(migrated) if connection.vendor == "sqlite" else {row[0] for row in migrated["columns"]}
    assert len(tables) > 50  # the comparison saw the project's tables, not two empty databases
