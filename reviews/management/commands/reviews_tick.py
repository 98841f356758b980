from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.changes import prune
from reviews.services import reviews_tick


class Command(BaseCommand):
    help = (
        "Review deadlines: send due reminders, mark overdue assignments, reassign those past their grace period; "
        "then delete the change log's old rows."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = reviews_tick()
        pruned = prune()
        self.stdout.write(
            f"reminded {report.reminded}, overdue {report.overdue}, reassigned {report.expired}; "
            f"{pruned} old changes pruned"
        )
