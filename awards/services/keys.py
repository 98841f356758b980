"""An issuer's signing keys: creating them, rotating them, and finding the active pair to sign with."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from awards import keys as keyring
from awards.models import IssuerKey
from catalog.models import Issuer
from core.audit import audit_record
from core.errors import InvalidState

log = logging.getLogger(__name__)


class IssuerKeysMissing(InvalidState):
    """The issuer cannot sign until an operator creates its keys. 503 rather than 409: nothing the person
    who earned the badge did caused it, and issuing works again once the platform is set up."""

    status_code = 503


def issuer_keys_create(*, issuer: Issuer, rotate: bool = False, actor: User | None = None) -> list[IssuerKey]:
    """Create the issuer's signing keys: one Ed25519 (Data Integrity) and one P-256 (VC-JWT).

    Without `rotate`, only the algorithms the issuer has no active key for get one (so it is safe to run
    twice). With `rotate`, the active keys are retired and new ones made; retired keys stay in the DID
    document so every badge signed with them keeps verifying."""
    created: list[IssuerKey] = []
    with transaction.atomic():
        # Locking the issuer row serialises key changes for one issuer: key numbers never collide.
        Issuer.objects.select_for_update().get(pk=issuer.pk)
        now = timezone.now()
        for algorithm in (IssuerKey.Algorithm.ED25519, IssuerKey.Algorithm.P256):
            active = IssuerKey.objects.filter(issuer=issuer, algorithm=algorithm, is_active=True).first()
            if active is not None and not rotate:
                continue
            if active is not None:
                IssuerKey.objects.filter(pk=active.pk).update(is_active=False, retired_at=now)
                audit_record(
                    action="issuer_key.retired",
                    subject=active,
                    actor=actor,
                    old=f"#{active.fragment}",
                    issuer_id=issuer.pk,
                    data={"algorithm": algorithm},
                )
            last = IssuerKey.objects.filter(issuer=issuer).order_by("-number").values_list("number", flat=True).first()
            public, private = keyring.new_key_material(algorithm)
            key = IssuerKey.objects.create(
                issuer=issuer,
                number=(last or 0) + 1,
                algorithm=algorithm,
                public_key_multibase=public,
                private_key_encrypted=keyring.encrypt_private(private),
                created_at=now,
            )
            audit_record(
                action="issuer_key.created",
                subject=key,
                actor=actor,
                new=f"#{key.fragment}",
                issuer_id=issuer.pk,
                data={"algorithm": algorithm, "rotation": rotate},
            )
            created.append(key)
    return created


def active_keys(issuer: Issuer) -> tuple[IssuerKey, IssuerKey]:
    """The issuer's (Ed25519, P-256) signing keys. Within awards.services only: callers issue badges."""
    found = {k.algorithm: k for k in IssuerKey.objects.filter(issuer=issuer, is_active=True).select_related("issuer")}
    if IssuerKey.Algorithm.ED25519 not in found or IssuerKey.Algorithm.P256 not in found:
        if settings.PRODUCTION:
            raise IssuerKeysMissing(
                f"{issuer.name} has no signing keys yet; run `manage.py issuer_keys_create {issuer.slug}` first"
            )
        # Development only: a fresh checkout can issue at once. Production never signs with a key nobody
        # deliberately created.
        log.warning("creating signing keys for %s on demand (development); production requires the command", issuer)
        issuer_keys_create(issuer=issuer)
        return active_keys(issuer)
    return found[IssuerKey.Algorithm.ED25519], found[IssuerKey.Algorithm.P256]
