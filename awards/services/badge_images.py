"""A credential's badge image: an issuer admin uploads one (checked by awards.image_checks) or goes back to the
generated default. Either change is audited with the image's type, size and SHA-256, so the log says which
picture was in force when."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from awards.image_checks import image_check
from awards.selectors import is_issuer_admin
from catalog.models import BadgeImage, Credential
from core.audit import audit_record
from core.errors import NotAllowed


def _describe(image: BadgeImage | None) -> str:
    if image is None:
        return "generated default"
    digest = hashlib.sha256(bytes(image.content)).hexdigest()[:16]
    return f"{image.content_type}, {len(image.content)} bytes, sha256 {digest}"


def _require_admin(admin: User, credential: Credential) -> None:
    if not is_issuer_admin(user=admin, issuer_id=credential.issuer_id):
        raise NotAllowed(gettext("Only an admin of the credential's issuer may change its badge image."))


def badge_image_set(*, admin: User, credential: Credential, data: bytes, name: str = "") -> BadgeImage:
    """Store the uploaded image as the credential's badge image, after checking it; refused unchanged if not."""
    _require_admin(admin, credential)
    checked = image_check(data, name=name)
    now = timezone.now()
    with transaction.atomic():
        # The credential's row is the lock: two uploads at once replace the image one after the other.
        locked = Credential.objects.select_for_update().get(pk=credential.pk)
        old = _describe(BadgeImage.objects.filter(credential=locked).first())
        image, _ = BadgeImage.objects.update_or_create(
            credential=locked,
            defaults={
                "content": checked.content,
                "content_type": checked.content_type,
                "png": checked.png,
                "updated_at": now,
            },
        )
        locked.badge_image_updated_at = now
        locked.save(update_fields=["badge_image_updated_at"])
        audit_record(
            action="credential.badge_image_set",
            subject=locked,
            actor=admin,
            old=old,
            new=_describe(image),
            issuer_id=locked.issuer_id,
            data={"credential": locked.slug, "file_name": name[:200]},
        )
    credential.badge_image_updated_at = now
    return image


def badge_image_reset(*, admin: User, credential: Credential) -> None:
    """Go back to the generated default image."""
    _require_admin(admin, credential)
    now = timezone.now()
    with transaction.atomic():
        locked = Credential.objects.select_for_update().get(pk=credential.pk)
        image = BadgeImage.objects.filter(credential=locked).first()
        if image is None:
            return
        old = _describe(image)
        image.delete()
        locked.badge_image_updated_at = now
        locked.save(update_fields=["badge_image_updated_at"])
        audit_record(
            action="credential.badge_image_reset",
            subject=locked,
            actor=admin,
            old=old,
            new="generated default",
            issuer_id=locked.issuer_id,
            data={"credential": locked.slug},
        )
    credential.badge_image_updated_at = now
