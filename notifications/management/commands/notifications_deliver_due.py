from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from notifications.tasks import deliver_due


class Command(BaseCommand):
    help = "Send every queued email that is due: new ones a worker missed and failed ones whose backoff has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="most emails to try in one run (default 500)")

    def handle(self, *args: Any, **options: Any) -> None:
        report = deliver_due(limit=options["limit"])
        self.stdout.write(f"sent {report.sent}, failed {report.failed} (retried later), skipped {report.skipped}")
