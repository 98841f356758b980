"""`manage.py compile_translations`: the catalogs' .mo files from their .po, without GNU gettext (core/locale.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.locale import catalogs_compile


class Command(BaseCommand):
    # Catalog work needs no model or URL to be sound; skipping the checks keeps the install step quick.
    requires_system_checks: list[str] = []
    help = "Compile the translation catalogs (.po to .mo) where they changed; needs no GNU gettext."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="compile every catalog, changed or not")

    def handle(self, *args: Any, **options: Any) -> None:
        written = catalogs_compile(force=options["force"])
        if written:
            self.stdout.write("Compiled " + ", ".join(str(path) for path in written))
        elif options["verbosity"] > 1:
            self.stdout.write("The catalogs are up to date.")
