"""Delete the evidence files whose retention has run out (workflow.retention); run daily by the scheduler."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import ngettext

from workflow.retention import evidence_retention_purge


class Command(BaseCommand):
    help = (
        "Delete evidence files (originals and reviewer's copies) kept past their retention: the definition's "
        "retention.evidence_days_after_decision, else EVIDENCE_RETENTION_DAYS, after the decision on the latest "
        "attempt that includes them. Keeps each file's name, type, size and hash, records each deletion in the "
        "audit log and prints it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print what would be deleted; delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        purged = evidence_retention_purge(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for item in purged:
            found = item.retention
            self.stdout.write(
                f"{verb} evidence {item.evidence_id} of submission {item.submission_id}: attempt {found.attempt_id} "
                f"decided {found.decided_at:%Y-%m-%d}, kept {found.days} days"
            )
        self.stdout.write(
            ngettext("%(n)d evidence file %(verb)s", "%(n)d evidence files %(verb)s", len(purged))
            % {"n": len(purged), "verb": verb}
        )
