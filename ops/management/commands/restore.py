"""manage.py restore [PATH]: a backup into this instance's (empty) database and media storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import ngettext

from ops.backups import backup_latest, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database DATABASE_URL names and the media storage. "
        "Refused, with nothing changed, if ISSUER_KEY_ENCRYPTION_KEY does not decrypt every issuer key in it, if "
        "a file is damaged, or if the database already holds data (unless --force)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", type=Path, help="the backup's folder (default: the latest in BACKUP_DIR)"
        )
        parser.add_argument("--force", action="store_true", help="replace what the database holds instead of refusing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"] or backup_latest(settings.BACKUP_DIR)
        restored = backup_restore(path, force=options["force"], quiet=options["verbosity"] < 2)
        self.stdout.write(
            self.style.SUCCESS(f"Restored {path}")
            + ngettext(": %(n)d issuer key", ": %(n)d issuer keys", restored.issuer_keys) % {"n": restored.issuer_keys}
            + ", each opened with ISSUER_KEY_ENCRYPTION_KEY; "
            + ngettext("%(n)d evidence file", "%(n)d evidence files", restored.evidence_files)
            % {"n": restored.evidence_files}
            + ", each matching its checksum."
        )
        self.stdout.write("Next: `make production-setup` (migrations of a newer checkout, static files), then serve.")
