"""An erased account's badges and graduate-credit applications (workflow/erasure.py calls this).

Each badge is revoked with the reason "holder request" and its status bit set in the re-signed status list,
so a copy of the signed credential that an employer holds verifies as revoked (awards/verify.py); its signed
forms, which carry the earner's name, are then emptied, and its pages answer 410 "withdrawn at the holder's
request" (awards.selectors.badge_get_for_viewer). The row stays: the status list's bits are read from it.
Applications are kept as the partner's record, without the earner's message; those still open are closed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from awards.models import ApplicationStatus, Badge, CreditApplication, StatusList
from awards.services.status_lists import status_list_sign
from core.audit import audit_record
from core.pseudonymise import rows_scrub

HOLDER_REQUEST = "holder request"
APPLICATION_WITHDRAWN = "Withdrawn: the applicant deleted their account."


def badge_withdraw(*, badge: Badge) -> Badge:
    """Revoke the badge at its holder's request (if no one revoked it before) and empty its signed forms.
    The platform acts (no actor), and no email goes out: the address is being erased. Idempotent."""
    with transaction.atomic():
        locked = Badge.objects.select_for_update().get(pk=badge.pk)
        if locked.revoked_at is None:
            status_list = StatusList.objects.select_for_update().select_related("issuer").get(pk=locked.status_list_id)
            locked.revoked_at, locked.revoked_by, locked.revocation_reason = timezone.now(), None, HOLDER_REQUEST
            locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
            status_list_sign(status_list=status_list, actor=None)
            audit_record(
                action="badge.revoked",
                subject=locked,
                actor=None,
                old="valid",
                new="revoked",
                data={"reason": HOLDER_REQUEST},
                issuer_id=locked.issuer_id,
            )
        if locked.document_text or locked.jwt:
            # Signed and frozen (Badge.save refuses); emptied because the signed claims name the earner.
            Badge.objects.filter(pk=locked.pk).update(document_text="", jwt="")
            locked.document_text, locked.jwt = "", ""
            audit_record(
                action="badge.withdrawn", subject=locked, actor=None, new=HOLDER_REQUEST, issuer_id=locked.issuer_id
            )
    return locked


def badge_is_withdrawn(badge: Badge) -> bool:
    """A badge whose signed forms were erased with its holder's account: its pages are gone for good."""
    return badge.revoked_at is not None and not badge.document_text


def awards_erase(*, earner: User, needles: Iterable[str], marker: str) -> dict[str, int]:
    """Withdraw every badge of the earner and close or keep their credit applications; answers counts."""
    words = list(needles)
    with transaction.atomic():
        badges = [badge_withdraw(badge=badge) for badge in Badge.objects.filter(earner=earner).order_by("pk")]
        rows_scrub(Badge.objects.filter(earner=earner), fields=["revocation_reason"], needles=words, marker=marker)
        applications = CreditApplication.objects.filter(earner=earner)
        now = timezone.now()
        for application in applications.filter(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED]):
            CreditApplication.objects.filter(pk=application.pk).update(
                status=ApplicationStatus.DECLINED, note=APPLICATION_WITHDRAWN, decided_at=now, decided_by=None
            )
            audit_record(
                action="credit_application.withdrawn",
                subject=application,
                actor=None,
                old=application.status,
                new=ApplicationStatus.DECLINED,
                data={"badge_id": application.badge_id, "reason": APPLICATION_WITHDRAWN},
                issuer_id=application.badge.issuer_id,
            )
        applications.update(message="")
        rows_scrub(applications, fields=["note"], needles=words, marker=marker)
    return {"badges": len(badges), "applications": applications.count()}
