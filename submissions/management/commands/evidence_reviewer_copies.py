"""Make the reviewer's copy of every evidence file stored before copies were made."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from submissions.models import ReviewerCopy
from submissions.services import evidence_reviewer_copies_make


class Command(BaseCommand):
    help = (
        "Make the reviewer's copy (without the details that name its maker) of every evidence file that has "
        "none yet; prints each file withheld from reviewers because it could not be cleaned. Run once after "
        "upgrading; a file it has not reached yet gets its copy at its first reviewer download."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = dict.fromkeys(ReviewerCopy.values, 0)
        for item in evidence_reviewer_copies_make():
            counts[item.reviewer_copy] += 1
            if item.withheld:
                self.stdout.write(f"withheld evidence {item.pk}: {item.reviewer_copy_problem}")
        self.stdout.write(
            f"reviewer copies: {counts[ReviewerCopy.CLEANED]} cleaned, {counts[ReviewerCopy.SAME]} needing no "
            f"cleaning, {counts[ReviewerCopy.WITHHELD]} withheld"
        )
