"""manage.py backup: the database and the evidence files, into a new folder under BACKUP_DIR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import ngettext

from ops.backups import KEY_NOTE, backup_create, backup_read, folder_size, media_file_count


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or SQLite's backup API) and the evidence files (the media storage) into a "
        "new folder under BACKUP_DIR, with a manifest of checksums. Safe while the app serves. The issuer key "
        "encryption key is never written into it: keep that apart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="where to write it (default: BACKUP_DIR)")
        parser.add_argument(
            "--no-media",
            action="store_true",
            help="leave the evidence files out (when the media bucket has its own versioning and replication)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"] or settings.BACKUP_DIR
        path = backup_create(directory=directory, media=not options["no_media"], quiet=options["verbosity"] < 2)
        manifest = backup_read(path)
        files = media_file_count(path, manifest)
        self.stdout.write(
            self.style.SUCCESS(f"Backed up to {path}")
            + f" ({folder_size(path)}: the database, "
            + (
                ngettext("%(n)d media file", "%(n)d media files", files) % {"n": files}
                if manifest["media"]
                else "no media files"
            )
            + ngettext(
                ", %(n)d encrypted issuer key).", ", %(n)d encrypted issuer keys).", len(manifest["issuer_keys"])
            )
            % {"n": len(manifest["issuer_keys"])}
        )
        self.stdout.write(KEY_NOTE)
