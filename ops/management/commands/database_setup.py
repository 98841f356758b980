"""manage.py database_setup: the database brought up to date; an empty one made from the models (ops/schema.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS

from ops.schema import database_setup


class Command(BaseCommand):
    help = (
        "Bring the database up to date: an empty one gets its tables from the models and every migration recorded "
        "as applied (what replaying them builds, in a fraction of the time); any other is migrated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the connection to set up (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        done = database_setup(
            options["database"], verbosity=max(verbosity - 1, 0), stdout=self.stdout, stderr=self.stderr
        )
        if verbosity:
            self.stdout.write(f"The database is up to date ({done}).")
