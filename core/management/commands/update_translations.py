"""`manage.py update_translations`: the Spanish catalog brought up to date with the code (makemessages with the
project's options, core.locale.MAKEMESSAGES_OPTIONS), then compiled. Needs GNU gettext's xgettext; compiling alone
(`compile_translations`) does not."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from core.locale import MAKEMESSAGES_OPTIONS, catalogs_compile


class Command(BaseCommand):
    # Catalog work needs no model or URL to be sound; skipping the checks keeps the install step quick.
    requires_system_checks: list[str] = []
    help = "Add the code's new strings to the Spanish catalog (makemessages -l es), then compile the catalogs."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("makemessages", **MAKEMESSAGES_OPTIONS)
        catalogs_compile()
        self.stdout.write("Translate the empty msgstr entries in locale/es/LC_MESSAGES/django.po, then compile.")
