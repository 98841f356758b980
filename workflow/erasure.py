"""Deleting an educator's account: the request, its grace period, and the erasure that spans every room.

`account_deletion_request` closes the account at once (signed out, no sign-in, no token) and sets the date
after which it is erased (settings.ACCOUNT_DELETION_GRACE_DAYS); until then `account_deletion_cancel` reopens
it as it was. `accounts_erase_due` (the scheduled `manage.py accounts_erase_due`) then erases each account
whose date has passed, each in its own transaction, through each room's small service:

  submissions    drafts and attempt texts emptied, evidence files (originals and reviewer copies) deleted
  awards         badges revoked ("holder request"), signed forms emptied, pages gone; applications kept closed
  reviews        kept as they are (the decision, the scores reviewers gave), quotes of the person replaced
  notifications  their notifications and emails go; others' emails that quote them are pseudonymised
  core           audit rows kept, quotes of the person in them replaced
  accounts       the User row pseudonymised (erased-<id>@invalid), roles, consents, sessions, throttles gone

What is kept is what others' records need: that an attempt was made and decided, by whom it was reviewed,
and what happened, in the audit log. "The person" is their name and address and those of the grown-ups who
answered for them (a guardian, an advisor); these are replaced by "[erased]" wherever a kept row quotes them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.erasure import account_close, account_contacts, account_erase, account_reopen
from accounts.models import User
from awards.services import awards_erase
from coaching.services import coaching_erase
from cohorts.services import cohorts_erase
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, NotAllowed
from core.models import AuditEvent
from core.pseudonymise import rows_scrub
from notifications.services import notifications_erase
from reviews.models import Assignment, AssignmentState, AttemptGrant, Decision, Score
from submissions.models import Attempt, AttemptStatus
from submissions.services import submissions_erase
from workflow.models import DeletionRequest

MARKER = "[erased]"
_UNDECIDED = (AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW)


def grace_period() -> timedelta:
    return timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)


def account_deletion_refusal(*, user: User) -> str | None:
    """Why this account cannot be deleted now, in words for its owner; None when it can."""
    if user.is_superuser:
        return gettext(
            "A platform admin's account is closed by another platform admin, so that the platform "
            "is never left without one."
        )
    open_reviews = Assignment.objects.filter(reviewer=user, state=AssignmentState.OPEN).count()
    if open_reviews:
        return ngettext(
            "You have %(count)s review assigned to you. Submit or decline it from your review queue first, so "
            "that the educator waiting on it is not left without a reviewer; then come back here.",
            "You have %(count)s reviews assigned to you. Submit or decline each one from your review queue "
            "first, so that the educators waiting on them are not left without a reviewer; then come back here.",
            open_reviews,
        ) % {"count": open_reviews}
    if Attempt.objects.filter(submission__educator=user, status__in=_UNDECIDED).exists():
        return gettext(
            "One of your submissions is with reviewers. Withdraw it if the review has not begun, "
            "or wait for its decision; then come back here."
        )
    return None


def account_deletion_pending(*, user: User) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(user=user, erased_at__isnull=True).first()


def account_deletion_request(*, user: User, password: str) -> DeletionRequest:
    """The account's owner asks for it to be deleted, confirming with their password. Closed at once; erased
    after the grace period unless cancelled."""
    if not user.is_active:
        raise InvalidState(gettext("This account is already closed."))
    if not password or not user.check_password(password):
        raise InvalidInput.on("password", gettext("Enter your current password to confirm that it is you."))
    refusal = account_deletion_refusal(user=user)
    if refusal:
        raise NotAllowed(refusal)
    now = timezone.now()
    with transaction.atomic():
        request, _ = DeletionRequest.objects.update_or_create(
            user=user, defaults={"requested_at": now, "erase_after": now + grace_period()}
        )
        audit_record(
            action="account.deletion_requested",
            subject=user,
            actor=user,
            new=f"erased after {request.erase_after:%Y-%m-%d %H:%M} UTC",
        )
        account_close(user=user)
    return request


def account_deletion_cancel(*, user: User) -> None:
    """Within the grace period the owner changes their mind: the request goes and the account reopens."""
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().filter(user=user).first()
        if request is None or request.erased_at is not None:
            raise InvalidState(gettext("There is no deletion to cancel: this account is not waiting to be deleted."))
        request.delete()
        audit_record(action="account.deletion_cancelled", subject=user, actor=user, old="closed", new="active")
        account_reopen(user=user)


def account_erase_now(*, request: DeletionRequest, now: datetime | None = None) -> bool:
    """Erase the account of one due request, in one transaction; False if it was already erased (idempotent,
    and safe with two schedulers: the request row is locked and re-read)."""
    with transaction.atomic():
        locked = DeletionRequest.objects.select_for_update().select_related("user").get(pk=request.pk)
        if locked.erased_at is not None:
            return False
        user = locked.user
        needles = [user.name, user.email, *account_contacts(user=user)]
        submissions_erase(educator=user)
        coaching_erase(user=user)
        cohorts_erase(user=user)
        awards_erase(earner=user, needles=needles, marker=MARKER)
        _reviews_scrub(user, needles)
        notifications_erase(user=user, needles=needles, marker=MARKER)
        rows_scrub(AuditEvent.objects.all(), fields=["old", "new", "data"], needles=needles, marker=MARKER)
        rows_scrub(LogEntry.objects.all(), fields=["object_repr", "change_message"], needles=needles, marker=MARKER)
        account_erase(user=user)
        locked.erased_at = now or timezone.now()
        locked.save(update_fields=["erased_at"])
        audit_record(action="account.erased", subject=user, actor=None, old="closed", new="erased")
    return True


def _reviews_scrub(user: User, needles: list[str]) -> None:
    """Reviews, decisions and grants about the person's attempts are kept; where their writers quoted the
    person (a reason, a comment), the quote is replaced."""
    mine = {"attempt__submission__educator": user}
    rows_scrub(Decision.objects.filter(**mine), fields=["override_reason"], needles=needles, marker=MARKER)
    rows_scrub(Assignment.objects.filter(**mine), fields=["end_reason"], needles=needles, marker=MARKER)
    rows_scrub(
        Score.objects.filter(review__attempt__submission__educator=user),
        fields=["reasoning", "suggestion"],
        needles=needles,
        marker=MARKER,
    )
    rows_scrub(
        AttemptGrant.objects.filter(submission__educator=user), fields=["reason"], needles=needles, marker=MARKER
    )


def accounts_erase_due(*, now: datetime | None = None) -> list[int]:
    """Erase every account whose grace period has passed; answers the ids of the users erased this run."""
    now = now or timezone.now()
    due = DeletionRequest.objects.filter(erased_at__isnull=True, erase_after__lte=now).order_by("erase_after", "pk")
    return [request.user_id for request in due if account_erase_now(request=request, now=now)]
