"""Delete evidence files (originals and reviewer's copies) that no row references: what a server killed during
an upload leaves behind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from submissions.services import evidence_orphans_sweep
from submissions.services.evidence import ORPHAN_GRACE


class Command(BaseCommand):
    help = (
        "Delete evidence files in storage (originals and reviewer's copies) that no Evidence row references and "
        "that are older than the grace "
        "period (so uploads still in progress are left alone); prints each file it removes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=int(ORPHAN_GRACE.total_seconds() // 60),
            help="Leave files younger than this many minutes (default: %(default)s).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print what would be removed; remove nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["grace_minutes"] < 0:
            raise CommandError("--grace-minutes cannot be negative")
        grace = timedelta(minutes=options["grace_minutes"])
        removed = evidence_orphans_sweep(grace=grace, dry_run=options["dry_run"])
        verb = "would remove" if options["dry_run"] else "removed"
        for name in removed:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(
            ngettext("%(n)d orphaned evidence file %(verb)s", "%(n)d orphaned evidence files %(verb)s", len(removed))
            % {"n": len(removed), "verb": verb}
        )
