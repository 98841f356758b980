"""manage.py load_credentials: the definitions, then what the awards side keeps of them.

Here rather than in catalog because a definition's graduate-credit partners are awards rows (Partner,
PartnerOffer) and catalog sits below awards: catalog's loader stays pure, and this command adds the partner
sync, so a partner university and its offers exist as soon as the definition loads (its staff can then be
invited before any badge is issued).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import ngettext

from awards.services import partners_sync
from catalog.loader import credentials_load_dir
from catalog.models import Credential


class Command(BaseCommand):
    help = (
        "Load every credential definition (YAML) from a folder; a changed file becomes a new version. "
        "Each definition's graduate-credit partners and offers are created or updated to match it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="folder of definitions (default: CREDENTIALS_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"] or settings.CREDENTIALS_DIR
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder of credential definitions")
        results, errors = credentials_load_dir(directory)
        for result in results:
            state = "new version" if result.created else "unchanged"
            self.stdout.write(f"{result.slug}: v{result.version} {state} ({result.content_hash[:12]})")
        for result in results:
            credential = Credential.objects.select_related("current_version").get(slug=result.slug)
            assert credential.current_version is not None
            with transaction.atomic():
                offers = partners_sync(version=credential.current_version)
            if offers:
                names = ", ".join(offer.partner.slug for offer in offers)
                self.stdout.write(f"{result.slug}: graduate credit with {names}")
        for error in errors:
            self.stderr.write(f"refused {error}")
        if errors:
            raise CommandError(
                ngettext(
                    "%(n)d definition file refused; nothing of it was loaded",
                    "%(n)d definition files refused; nothing of them was loaded",
                    len(errors),
                )
                % {"n": len(errors)}
            )
