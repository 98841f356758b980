from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import User
from catalog.models import Credential
from core.errors import MicrocredError
from reviews.selectors.reliability import flagged_for_recalibration
from reviews.services import reviewer_recalibrate


class Command(BaseCommand):
    help = (
        "Send back through calibration every reviewer whose severity passed their credential's "
        "review_policy.calibration.recalibrate_when (run nightly). Each is audited and emailed; running it again "
        "changes nothing until they have recalibrated and drifted again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list whom it would send back, and send nobody")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        sent = 0
        credentials = Credential.objects.filter(current_version__isnull=False).select_related(
            "current_version", "issuer"
        )
        for credential in credentials.order_by("slug"):
            assert credential.current_version is not None
            policy = credential.current_version.spec.review_policy.calibration
            if policy.recalibrate_when is None or not policy.required:
                continue
            for person in flagged_for_recalibration(credential=credential):
                severity = person.flag_severity or 0.0  # flagged, so judged on at least one review
                line = (
                    f"{credential.slug}: {person.email} (severity {severity:+.2f} over {person.flag_reviews} reviews)"
                )
                if dry_run:
                    self.stdout.write(f"would send back {line}")
                    continue
                try:
                    reviewer_recalibrate(
                        reviewer=User.objects.get(pk=person.user_id),
                        credential=credential,
                        actor=None,
                        severity=person.flag_severity,
                        reviews=person.flag_reviews,
                        reason="severity beyond the definition's recalibrate_when",
                    )
                except MicrocredError as refusal:
                    self.stderr.write(f"not sent back {line}: {refusal}")
                    continue
                sent += 1
                self.stdout.write(f"sent back {line}")
        if not dry_run:
            self.stdout.write(f"{sent} sent back")
