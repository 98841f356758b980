"""Deploy checks that Django's own do not make: `manage.py check --deploy` should catch a setup that cannot serve."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from core import changes


@register(Tags.staticfiles, deploy=True)
def static_files_collected(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    # With the manifest storage production uses, every page's {% static %} looks its file up in the manifest,
    # so without collectstatic each HTML page fails with "Missing staticfiles manifest entry".
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.manifest_storage.exists(staticfiles_storage.manifest_name):
        return []
    return [
        Error(
            f"The static files have not been collected into STATIC_ROOT ({staticfiles_storage.location}): "
            "every HTML page would fail with 'Missing staticfiles manifest entry'.",
            hint="Run `manage.py collectstatic --noinput` (`make production-setup` does, with the rest of the setup).",
            id="ops.E001",
        )
    ]


@register(deploy=True)
def change_log_triggers_installed(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    # Kept pages (core.fragments) are drawn again only when the change log shows a write to what they read, and the
    # log is written by triggers that `migrate` makes. Code whose watches are newer than the database's triggers,
    # deployed without migrating, would serve pages that never show those writes, and nothing else would say so.
    try:
        if not _migrated():
            return []  # nothing is migrated yet: `migrate` is the next step whatever this says
        missing = sorted({watch.table for watch in changes.watches()} - changes.installed())
    except DatabaseError:
        return []  # no database to ask: the first request, and Django's own checks with --database, say so
    if not missing:
        return []
    return [
        Error(
            f"The change log's triggers are missing on {', '.join(missing)}: pages kept between requests would not "
            "show what is written to those tables.",
            hint="Run `manage.py migrate` (`make production-setup` does, with the rest of the setup).",
            id="ops.E002",
        )
    ]


def _migrated() -> bool:
    """Whether the default database has the change log's table, asked without making a SQLite file that is not
    there (connecting to one makes it)."""
    connection = connections[DEFAULT_DB_ALIAS]
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and not name.startswith(("file:", ":memory:")) and not os.path.exists(name):
        return False
    with connection.cursor() as cursor:
        return changes.TABLE in connection.introspection.table_names(cursor)
