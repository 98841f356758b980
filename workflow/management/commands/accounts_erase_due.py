from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from workflow.erasure import accounts_erase_due


class Command(BaseCommand):
    help = "Erase every account whose deletion grace period has passed (safe to run again: erased ones are skipped)."

    def handle(self, *args: Any, **options: Any) -> None:
        erased = accounts_erase_due()
        self.stdout.write(
            ngettext("%(n)d account erased", "%(n)d accounts erased", len(erased)) % {"n": len(erased)}
            + (": user " + ", ".join(str(pk) for pk in erased) if erased else "")
        )
