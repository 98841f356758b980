"""manage.py verify_credential FILE: the verifier's report for a credential file (JSON, JWT, baked PNG or SVG)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from awards.verify import verify_credential

MARKS = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}


class Command(BaseCommand):
    help = "Verify a credential file (JSON, JWT, baked PNG or SVG; - reads standard input). Exits 1 unless valid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the credential file, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            data = path.read_bytes()
        report = verify_credential(data)
        if report.error:
            raise CommandError(f"{name}: {report.error}")
        self.stdout.write(f"{name} (read as {report.form})")
        for check in report.checks:
            self.stdout.write(f"  {MARKS[check.outcome]}  {check.label}: {check.detail}")
        if report.valid:
            self.stdout.write(self.style.SUCCESS("VALID: every check passed"))
        else:
            self.stdout.write(self.style.ERROR("NOT VALID"))
            raise SystemExit(1)
