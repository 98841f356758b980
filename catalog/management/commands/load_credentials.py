from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.loader import credentials_load_dir


class Command(BaseCommand):
    help = "Load every credential definition (YAML) from a folder; a changed file becomes a new version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="folder of definitions (default: CREDENTIALS_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"] or settings.CREDENTIALS_DIR
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder of credential definitions")
        results, errors = credentials_load_dir(directory)
        for result in results:
            state = "new version" if result.created else "unchanged"
            self.stdout.write(f"{result.slug}: v{result.version} {state} ({result.content_hash[:12]})")
        for error in errors:
            self.stderr.write(f"refused {error}")
        if errors:
            raise CommandError(f"{len(errors)} definition file(s) refused; nothing of them was loaded")
