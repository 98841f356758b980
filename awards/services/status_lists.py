"""Bitstring Status Lists: finding room for a new badge's bit, and signing a list again after a change."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from awards import keys as keyring
from awards.documents import absolute, status_list_credential
from awards.models import Badge, StatusList
from awards.proof import proof_add
from awards.services.keys import active_keys
from catalog.models import Issuer
from core.audit import audit_record


def status_list_url(status_list: StatusList) -> str:
    return absolute(
        reverse("awards:status_list", kwargs={"slug": status_list.issuer.slug, "number": status_list.number})
    )


def status_list_with_room(issuer: Issuer) -> StatusList:
    """The issuer's newest list that still has room, locked; a new one when all are full."""
    current = StatusList.objects.select_for_update().filter(issuer=issuer).order_by("-number").first()
    if current is None or current.used >= current.size:
        try:
            with transaction.atomic():
                current = StatusList.objects.create(issuer=issuer, number=(current.number + 1) if current else 1)
        except IntegrityError:
            # Another issue made it first; use (and lock) theirs.
            pass
        current = StatusList.objects.select_for_update().filter(issuer=issuer).order_by("-number").first()
        assert current is not None
    current.issuer = issuer
    return current


def free_index(status_list: StatusList) -> int:
    # Random rather than sequential indexes, as the specification advises: a badge's position then says
    # nothing about when it was issued or who was issued next to it.
    taken = set(Badge.objects.filter(status_list=status_list).values_list("status_index", flat=True))
    while True:
        index = secrets.randbelow(status_list.size)
        if index not in taken:
            return index


def status_list_sign(*, status_list: StatusList, actor: User | None = None) -> StatusList:
    """Rebuild the list's bits from the revoked badges and sign it again (in the caller's transaction)."""
    issuer = status_list.issuer
    revoked = list(
        Badge.objects.filter(status_list=status_list, revoked_at__isnull=False).values_list("status_index", flat=True)
    )
    signing, _ = active_keys(issuer)
    now = timezone.now()
    unsigned = status_list_credential(
        issuer=issuer,
        url=status_list_url(status_list),
        purpose=status_list.purpose,
        size=status_list.size,
        revoked=revoked,
        valid_from=now,
    )
    document = proof_add(
        unsigned,
        private_key=keyring.ed25519_private(signing),
        verification_method=keyring.verification_method_id(signing),
        created=now,
    )
    status_list.document, status_list.updated_at = document, now
    StatusList.objects.filter(pk=status_list.pk).update(document_text=status_list.document_text, updated_at=now)
    audit_record(
        action="status_list.signed",
        subject=status_list,
        actor=actor,
        new=f"{len(revoked)} revoked",
        issuer_id=issuer.pk,
        data={"key": f"#{signing.fragment}"},
    )
    return status_list
