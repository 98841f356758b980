"""manage.py issuer_keys_create [--rotate] <issuer-slug>: make (or rotate) an issuer's signing keys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from awards.keys import did_document_url, did_for_issuer
from awards.services import issuer_keys_create
from catalog.models import Issuer


class Command(BaseCommand):
    help = (
        "Create an issuer's signing keys (Ed25519 for Data Integrity proofs, P-256 for VC-JWT), encrypted with "
        "ISSUER_KEY_ENCRYPTION_KEY. --rotate retires the active keys and makes new ones; retired public keys stay "
        "in the DID document so credentials signed with them keep verifying."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("issuer", help="the issuer's slug, as in the credential definition (e.g. classkick)")
        parser.add_argument("--rotate", action="store_true", help="retire the active keys and make new ones")

    def handle(self, *args: Any, **options: Any) -> None:
        issuer = Issuer.objects.filter(slug=options["issuer"]).first()
        if issuer is None:
            known = ", ".join(Issuer.objects.values_list("slug", flat=True)) or "none (run load_credentials first)"
            raise CommandError(f"there is no issuer {options['issuer']!r}; the issuers are: {known}")
        created = issuer_keys_create(issuer=issuer, rotate=options["rotate"])
        if not created:
            self.stdout.write(f"{issuer.name} already has active keys; use --rotate to replace them.")
        for key in created:
            self.stdout.write(self.style.SUCCESS(f"Created {key.algorithm} key #{key.fragment} for {issuer.name}"))
        self.stdout.write(f"DID: {did_for_issuer(issuer.slug)}")
        self.stdout.write(f"DID document: {did_document_url(issuer.slug)}")
