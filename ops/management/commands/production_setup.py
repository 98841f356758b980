"""manage.py production_setup: what a production instance needs before gunicorn serves it. Safe to re-run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from awards.keys import did_for_issuer
from awards.services import issuer_keys_create
from catalog.models import Issuer
from ops.schema import database_setup


class Command(BaseCommand):
    help = (
        "Set up (or update) a production instance: migrate (a new database is made from the models), collect the "
        "static files, load the credential definitions and calibration samples, create signing keys for any issuer "
        "that has none, and run the deploy checks."
    )
    # Django's checks open the database, and on a fresh checkout a SQLite database's folder does not exist yet;
    # the last step runs them all, the deploy checks included.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PRODUCTION:
            raise CommandError(
                "MICROCRED_ENV is not production: this would set up a development instance (DEBUG on, no HTTPS). "
                "Set MICROCRED_ENV=production and the variables the README lists; `make run` is for development."
            )
        quiet = max(options["verbosity"] - 1, 0)
        if connection.vendor == "sqlite":
            Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)

        self._step("Migrating the database")
        self.stdout.write(f"  ({database_setup(verbosity=quiet)})")

        # Without the collected files and their manifest every HTML page fails ("Missing staticfiles manifest
        # entry"), while the API and /healthz keep answering: easy to miss behind a load balancer's health check.
        self._step(f"Collecting the static files into {settings.STATIC_ROOT}")
        call_command("collectstatic", interactive=False, verbosity=quiet)

        self._step(f"Loading the credential definitions and calibration samples from {settings.CREDENTIALS_DIR}")
        call_command("load_credentials", stdout=self.stdout, stderr=self.stderr)
        call_command("load_calibration_samples", stdout=self.stdout, stderr=self.stderr)

        self._step("Issuer signing keys")
        for issuer in Issuer.objects.order_by("slug"):
            created = issuer_keys_create(issuer=issuer)
            made = ", ".join(f"{key.algorithm} #{key.fragment}" for key in created)
            state = f"created {made}" if created else "already has its keys"
            self.stdout.write(f"{issuer.slug}: {state} ({did_for_issuer(issuer.slug)})")

        self._step("Deploy checks")
        call_command("check", deploy=True, stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(self.style.SUCCESS('Ready: start the app servers (README: "Running it in production").'))

    def _step(self, title: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"== {title}"))
