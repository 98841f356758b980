"""Deploy checks that Django's own do not make: `manage.py check --deploy` should catch a setup that cannot serve."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import CheckMessage, Error, Tags, register


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
