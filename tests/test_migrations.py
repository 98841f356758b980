"""The models and the migrations describe one schema.

The suite builds its test databases from the models (`--nomigrations`), while every real database is built by
the migrations: this is what makes the two the same, and what stops a model change from shipping without its
migration."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration(settings: Any) -> None:
    settings.MIGRATION_MODULES = {}
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"models and migrations differ (exit {exit_.code}); run makemigrations:\n{out.getvalue()}")
