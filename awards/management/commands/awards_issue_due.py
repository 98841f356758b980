from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from awards.tasks import awards_issue_due


class Command(BaseCommand):
    help = "Issue the credential of every earned attempt that has none yet (a sweep for lost tasks)."

    def handle(self, *args: Any, **options: Any) -> None:
        issued = awards_issue_due()
        self.stdout.write(
            ngettext("%(n)d credential issued", "%(n)d credentials issued", len(issued)) % {"n": len(issued)}
            + (": " + ", ".join(issued) if issued else "")
        )
