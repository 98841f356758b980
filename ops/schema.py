"""A database brought up to date: an empty one gets its tables straight from the models, any other is migrated.

Why: replaying every migration on a new database redraws the models related to each one it changes, a hundred and
thirty times over; on a two-core machine that was 40 s of a first `make run` and of each new production instance,
for a schema the models already describe. Rails loads a new database from its schema rather than from its migrations
for the same reason, and Django's test runner (`--nomigrations`) makes its databases this way too.

Why it is the same database: tests/test_migrations.py holds the models and the migrations to one schema (Django
finds no change to make) and builds a database both ways on each engine to compare what the two made, table by
table; no migration runs SQL of its own, and the ones that run code only move rows an empty database does not have.
Every migration is then recorded as applied, so the next release's migrations apply to it as to any other.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


def database_is_empty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """No table at all: a new SQLite file, a new PostgreSQL database."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def schema_from_models(alias: str = DEFAULT_DB_ALIAS, *, verbosity: int = 0, **out: Any) -> int:
    """Make an empty database's tables from the models, then record every migration as applied; the number
    recorded. Django's post_migrate work (content types, permissions, the groups accounts keeps) runs as in a
    migrate, as that command runs it."""
    connection = connections[alias]
    nodes = sorted(MigrationLoader(connection, ignore_no_migrations=True).graph.nodes)
    kept = settings.MIGRATION_MODULES
    # None for an app: it has no migrations, so migrate --run-syncdb makes its tables from its models.
    settings.MIGRATION_MODULES = {config.label: None for config in apps.get_app_configs()}
    try:
        call_command("migrate", database=alias, run_syncdb=True, interactive=False, verbosity=verbosity, **out)
    finally:
        settings.MIGRATION_MODULES = kept
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    with transaction.atomic(using=alias):
        recorder.migration_qs.bulk_create([recorder.Migration(app=app, name=name) for app, name in nodes])
    return len(nodes)


def database_setup(alias: str = DEFAULT_DB_ALIAS, *, verbosity: int = 0, **out: Any) -> str:
    """An empty database made from the models, any other migrated; says which."""
    if database_is_empty(alias):
        recorded = schema_from_models(alias, verbosity=verbosity, **out)
        return f"an empty database: its tables made from the models, {recorded} migrations recorded as applied"
    call_command("migrate", database=alias, interactive=False, verbosity=verbosity, **out)
    return "migrated"
