"""Vouchers: an issuer's admin accepts (or stops accepting) an organisation's vouchers; a coordinator gives one for
a credential to a member who shares their progress; it is used when that educator submits an attempt.

`voucher_redeem` runs inside workflow.attempt_submit's transaction, so a refused or rolled-back submit uses
nothing. It reads the candidates, then takes one with a conditional UPDATE (`... WHERE redeemed_at IS NULL AND
revoked_at IS NULL`): of two transactions after the same voucher, the second waits on the first's row lock and,
once it commits, matches no row (PostgreSQL re-checks the condition on the row as committed; SQLite lets one
writer in at a time), so a voucher is used once; `redeemed_attempt` is unique besides. Only a voucher whose
issuer accepts the organisation's vouchers at that moment, held by a member still sharing progress (the use
tells the coordinators the attempt was submitted), is used; any other stays unused.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from catalog.models import Credential, Issuer
from cohorts.access import is_coordinator
from cohorts.models import IssuerVoucherAcceptance, Member, Organisation, Voucher
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, NotAllowed
from notifications.models import NotificationKind
from notifications.services import notification_send
from reviews.selectors.access import is_issuer_admin
from submissions.models import Attempt


def acceptance_set(*, actor: User | None, issuer: Issuer, organisation: Organisation, accept: bool) -> bool:
    """Accept the organisation's vouchers at this issuer, or stop; answers whether anything changed. Stopping
    leaves given vouchers unused until the issuer accepts again."""
    if actor is None or not is_issuer_admin(user=actor, issuer_id=issuer.pk):
        raise NotAllowed(gettext("only an admin of %(issuer)s can decide this") % {"issuer": issuer.name})
    with transaction.atomic():
        row = (
            IssuerVoucherAcceptance.objects.select_for_update().filter(issuer=issuer, organisation=organisation).first()
        )
        if (row is not None and row.is_active) == accept:
            return False
        now = timezone.now()
        if row is None:
            row = IssuerVoucherAcceptance(issuer=issuer, organisation=organisation)
        if accept:
            row.accepted_at, row.accepted_by, row.stopped_at, row.stopped_by = now, actor, None, None
        else:
            row.stopped_at, row.stopped_by = now, actor
        row.save()
        audit_record(
            action="vouchers.accepted" if accept else "vouchers.stopped",
            subject=organisation,
            actor=actor,
            new="accepted" if accept else "stopped",
            issuer_id=issuer.pk,
        )
    return True


def voucher_give(*, actor: User | None, member: Member, credential: Credential) -> Voucher:
    """Give a member one sponsored attempt at a credential; they are told in the app and by email."""
    organisation = member.organisation
    if actor is None or not is_coordinator(actor, organisation):
        raise NotAllowed(gettext("only a coordinator of %(group)s can do this") % {"group": organisation.name})
    if not credential.is_published or credential.current_version_id is None:
        raise InvalidInput.on("credential", gettext("choose a published credential from the list"))
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if not locked.shares_progress or locked.educator is None:
            raise InvalidInput.on(
                "member", gettext("choose a member who shares their progress: a voucher's use shows their submission")
            )
        if Voucher.objects.filter(
            member=locked, credential=credential, redeemed_at__isnull=True, revoked_at__isnull=True
        ).exists():
            raise InvalidInput.on("credential", gettext("this member already holds an unused voucher for it"))
        voucher = Voucher.objects.create(
            organisation=organisation, credential=credential, member=locked, given_by=actor
        )
        audit_record(
            action="voucher.given",
            subject=voucher,
            actor=actor,
            new=credential.slug,
            issuer_id=credential.issuer_id,
            data={"organisation": organisation.slug, "member": locked.pk},
        )
        notification_send(
            user=locked.educator,
            kind=NotificationKind.VOUCHER_GIVEN,
            context={"organisation": organisation.name, "credential": credential.title},
            url=reverse("catalog:detail", args=[credential.slug]),
        )
    return voucher


def voucher_revoke(*, actor: User | None, voucher: Voucher) -> Voucher:
    if actor is None or not is_coordinator(actor, voucher.organisation):
        raise NotAllowed(gettext("only a coordinator of %(group)s can do this") % {"group": voucher.organisation.name})
    with transaction.atomic():
        now = timezone.now()
        changed = Voucher.objects.filter(pk=voucher.pk, redeemed_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor
        )
        if not changed:
            raise InvalidState(gettext("this voucher has been used or withdrawn already"))
        voucher.refresh_from_db()
        audit_record(action="voucher.revoked", subject=voucher, actor=actor, issuer_id=voucher.credential.issuer_id)
    return voucher


def voucher_candidates(*, attempt: Attempt) -> list[int]:
    """The vouchers this attempt may use, oldest first: unused, for its credential, held by its educator as a member
    still sharing progress, of an organisation the credential's issuer accepts vouchers from now."""
    submission = attempt.submission
    credential = submission.credential
    return list(
        Voucher.objects.filter(
            credential_id=credential.pk,
            redeemed_at__isnull=True,
            revoked_at__isnull=True,
            member__educator_id=submission.educator_id,
            member__status=Member.Status.JOINED,
            member__consent_given_at__isnull=False,
            organisation__issuer_acceptances__issuer_id=credential.issuer_id,
            organisation__issuer_acceptances__stopped_at__isnull=True,
        )
        .order_by("given_at", "id")
        .values_list("pk", flat=True)
    )


def voucher_redeem(*, attempt: Attempt) -> Voucher | None:
    """Use one voucher for this attempt, if one may be used; called in the submit's transaction."""
    for pk in voucher_candidates(attempt=attempt):
        now = timezone.now()
        taken = Voucher.objects.filter(pk=pk, redeemed_at__isnull=True, revoked_at__isnull=True).update(
            redeemed_attempt=attempt, redeemed_at=now
        )
        if taken:
            voucher = Voucher.objects.select_related("organisation", "credential").get(pk=pk)
            audit_record(
                action="voucher.redeemed",
                subject=voucher,
                actor=None,
                new=f"attempt {attempt.pk}",
                issuer_id=voucher.credential.issuer_id,
                data={"attempt": attempt.pk, "organisation": voucher.organisation.slug},
            )
            return voucher
    return None
