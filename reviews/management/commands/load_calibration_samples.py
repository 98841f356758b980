from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from reviews.calibration import CALIBRATION_DIR, calibration_load_dir


class Command(BaseCommand):
    help = (
        "Load the calibration samples (credentials/calibration/<slug>.yaml) against each credential's current "
        "rubric; run it after load_credentials."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="folder of calibration files")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"] or settings.CREDENTIALS_DIR / CALIBRATION_DIR
        loads, errors = calibration_load_dir(directory)
        for load in loads:
            self.stdout.write(
                f"{load.credential}: "
                + ngettext("%(n)d new sample", "%(n)d new samples", load.created) % {"n": load.created}
                + f", {load.retired} retired "
                f"(rubric {load.rubric_hash[:12]})"
            )
        for error in errors:
            self.stderr.write(f"refused {error}")
        if errors:
            raise CommandError(
                ngettext(
                    "%(n)d calibration file refused; nothing of it was loaded",
                    "%(n)d calibration files refused; nothing of them was loaded",
                    len(errors),
                )
                % {"n": len(errors)}
            )
