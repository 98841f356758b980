from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from reviews.services import seats_fill_waiting


class Command(BaseCommand):
    help = "Try again to find reviewers for every review seat waiting in the queue."

    def handle(self, *args: Any, **options: Any) -> None:
        filled = seats_fill_waiting()
        self.stdout.write(ngettext("filled %(n)d seat", "filled %(n)d seats", filled) % {"n": filled})
