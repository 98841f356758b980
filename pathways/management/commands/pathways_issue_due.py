from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from pathways.tasks import pathways_issue_due


class Command(BaseCommand):
    help = "Issue the credential of every completed pathway that has none yet (a sweep for lost tasks)."

    def handle(self, *args: Any, **options: Any) -> None:
        issued = pathways_issue_due()
        self.stdout.write(
            ngettext("%(n)d pathway credential issued", "%(n)d pathway credentials issued", len(issued))
            % {"n": len(issued)}
            + (": " + ", ".join(issued) if issued else "")
        )
