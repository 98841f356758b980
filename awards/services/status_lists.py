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


# How many random candidates one query checks, and how many such queries run before falling back to
# reading the whole list. Even with the list 90% full, all 4 x 32 candidates are taken only about once in
# 700,000 issues, so only a list in its last few percent ever falls back.
_CANDIDATES = 32
_ROUNDS = 4


def free_index(status_list: StatusList) -> int:
    """A random index of the list that no badge holds; call with the list row locked (status_list_with_room),
    so that no other issue picks the same index before this one is saved."""
    # Random rather than sequential indexes, as the specification advises: a badge's position then says
    # nothing about when it was issued or who was issued next to it. Drawing candidates uniformly and taking
    # the first free one picks uniformly among the free indexes, as drawing from the free set itself would,
    # but reads only the candidates, so issuing does not slow down as the list fills.
    entries = Badge.objects.filter(status_list=status_list)
    for _ in range(_ROUNDS):
        candidates = list(dict.fromkeys(secrets.randbelow(status_list.size) for _ in range(_CANDIDATES)))
        taken = set(entries.filter(status_index__in=candidates).values_list("status_index", flat=True))
        for index in candidates:
            if index not in taken:
                return index
    # Nearly full: choose among what is left.
    taken = set(entries.values_list("status_index", flat=True))
    free = [index for index in range(status_list.size) if index not in taken]
    if not free:
        # A bug, not anyone's request: status_list_with_room hands out only lists with room.
        raise RuntimeError(f"{status_list} has no free index; status_list_with_room should have started a new list")
    return secrets.choice(free)


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
