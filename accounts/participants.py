"""Young participants: what a participant under 18 needs before submitting, and the grown-ups' answers.

A participant states an age bracket at sign-up (under 13 is refused there: the platform is for 13 and over).
For one aged 13 to 17:
  - a parent's or guardian's consent, on every credential while the platform's GUARDIAN_CONSENT_UNDER_18
    is on (the default), else where a definition's `participants.guardian_consent_under_18` asks for it;
  - their chapter advisor's approval, where a definition's `participants.advisor_approval` asks for it
    (one advisor per participant: the advisor of their school chapter).
The participant names the grown-up; the grown-up is emailed a link and confirms or declines on a page that
needs no account. The link's token is stored only as its digest, expires, works once, and a new one can be
sent at most every few minutes. The guardian's consent has two scopes: taking part, and (a separate tick)
sharing the participant's credentials outside the platform, without which a credential stays private.
Every request and answer is written to the audit log without the grown-up's name or address, which live
only on the ParticipationConsent row.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import ParticipationConsent, User
from catalog.schema import CredentialDefinition
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, NotAllowed, NotFound, TooSoon
from notifications.services import email_queue

CONSENT_LINK_VALID = timedelta(days=14)
CONSENT_RESEND_INTERVAL = timedelta(minutes=10)

Kind = ParticipationConsent.Kind
Status = ParticipationConsent.Status

_WHO = {Kind.GUARDIAN: "a parent's or guardian's consent", Kind.ADVISOR: "your chapter advisor's approval"}
_EMAIL = {Kind.GUARDIAN: "guardian_consent", Kind.ADVISOR: "advisor_approval"}


class ParticipationRequired(InvalidState):
    """Submitting is refused until the grown-ups a participant under 18 needs have said yes."""


class SharingNotConsented(InvalidState):
    """A participant under 18 may not share a credential outside the platform without their guardian's consent."""


def participation_url() -> str:
    return settings.SITE_URL + reverse("accounts:participation")


def _digest(token: str) -> str:
    # The token is 256 random bits, so a plain digest is enough: nothing to guess, and the table holds no link.
    return hashlib.sha256(token.encode()).hexdigest()


# --- what applies, and what is missing --------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    kind: str
    consent: ParticipationConsent | None

    @property
    def met(self) -> bool:
        return self.consent is not None and self.consent.status == Status.GIVEN

    @property
    def declined(self) -> bool:
        return self.consent is not None and self.consent.status == Status.DECLINED

    @property
    def label(self) -> str:
        return Kind(self.kind).label


def participation_required_kinds(*, user: User, definition: CredentialDefinition) -> list[str]:
    """Which grown-ups' answers this participant needs before submitting for this definition."""
    if not user.is_minor:
        return []
    kinds = []
    if settings.GUARDIAN_CONSENT_UNDER_18 or definition.participants.guardian_consent_under_18:
        kinds.append(Kind.GUARDIAN.value)
    if definition.participants.advisor_approval:
        kinds.append(Kind.ADVISOR.value)
    return kinds


def participation_state(*, user: User, definition: CredentialDefinition) -> list[Requirement]:
    kinds = participation_required_kinds(user=user, definition=definition)
    if not kinds:
        return []
    consents = {c.kind: c for c in ParticipationConsent.objects.filter(user=user, kind__in=kinds)}
    return [Requirement(kind=kind, consent=consents.get(kind)) for kind in kinds]


def _missing(requirement: Requirement) -> str:
    consent, who = requirement.consent, _WHO[Kind(requirement.kind)]
    if consent is None:
        return f"{who}: ask for it"
    if consent.status == Status.DECLINED:
        return (
            f"{who}: {consent.contact_name or consent.contact_email} declined on {consent.decided_at:%d %B %Y}; "
            "talk with them, and you can ask again"
        )
    return f"{who}: we emailed {consent.contact_email}, who has not answered yet; you can send the email again"


def participation_refusal(*, user: User, definition: CredentialDefinition) -> str | None:
    """Why this participant may not submit for this definition yet, naming what is missing and where to ask
    for it; None when nothing is missing."""
    missing = [_missing(r) for r in participation_state(user=user, definition=definition) if not r.met]
    if not missing:
        return None
    return (
        "you are under 18, so before you submit you need " + "; and ".join(missing) + f", at {participation_url()}. "
        "Your draft is saved."
    )


def sharing_consented(*, user: User) -> bool:
    """Whether this person's credentials may be shared outside the platform: an adult's may; a participant
    under 18's only with their guardian's recorded consent to sharing."""
    if not user.is_minor:
        return True
    return ParticipationConsent.objects.filter(
        user=user, kind=Kind.GUARDIAN, status=Status.GIVEN, share_outside=True
    ).exists()


# --- asking --------------------------------------------------------------------------------------------------


def consent_request(*, user: User, kind: str, contact_name: str, contact_email: str) -> ParticipationConsent:
    """A participant under 18 asks a grown-up (again): a new link is emailed and any earlier answer of this kind
    is set aside. Refused within a few minutes of the last email of this kind, so nobody is flooded."""
    if not user.is_minor:
        raise NotAllowed("only a participant under 18 asks for a guardian's consent or an advisor's approval")
    if kind not in Kind.values:
        raise InvalidInput.on("kind", f"choose one of: {', '.join(Kind.values)}")
    contact_name, contact_email = contact_name.strip(), contact_email.strip().lower()
    try:
        validate_email(contact_email)
    except ValidationError:
        raise InvalidInput.on("contact_email", "enter an email address in the form name@example.org") from None
    if contact_email == user.email:
        raise InvalidInput.on("contact_email", f"enter your {Kind(kind).label.lower()}'s own email address, not yours")
    if kind == Kind.GUARDIAN and not contact_name:
        raise InvalidInput.on("contact_name", "enter your parent's or guardian's name")
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # The participant's row is the lock: two quick requests send one email, not two.
        User.objects.select_for_update().filter(pk=user.pk).first()
        consent = ParticipationConsent.objects.filter(user=user, kind=kind).first()
        if consent is not None and now - consent.sent_at < CONSENT_RESEND_INTERVAL:
            wait = int((CONSENT_RESEND_INTERVAL - (now - consent.sent_at)).total_seconds() // 60) + 1
            raise TooSoon(
                f"we emailed {consent.contact_email} a moment ago; give them time to open it, or ask again in "
                f"{wait} minute{'s' if wait != 1 else ''}"
            )
        old = consent.status if consent is not None else ""
        if consent is None:
            consent = ParticipationConsent(user=user, kind=kind, requested_at=now)
        consent.contact_name, consent.contact_email = contact_name, contact_email
        consent.status, consent.share_outside, consent.signed_name, consent.decided_at = Status.PENDING, False, "", None
        consent.token_hash, consent.token_expires_at, consent.sent_at = _digest(token), now + CONSENT_LINK_VALID, now
        consent.requested_at = now
        consent.save()
        audit_record(
            action="participation.requested",
            subject=consent,
            actor=user,
            old=old,
            new=Status.PENDING,
            data={"kind": kind},
        )
        email_queue(
            name=_EMAIL[Kind(kind)],
            to=contact_email,
            context={
                "contact_name": contact_name,
                "participant": user.name,
                "answer_url": settings.SITE_URL + reverse("accounts:consent_answer", args=[token]),
                "valid_days": CONSENT_LINK_VALID.days,
            },
        )
    return consent


# --- answering ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentLink:
    """What an emailed link leads to: the request, or why the link no longer works."""

    consent: ParticipationConsent | None
    problem: str = ""


def consent_link_get(*, token: str, viewer: object = None) -> ConsentLink:
    """The request behind an emailed link; NotFound unless the token is one we sent. The participant is not
    the grown-up: their own link is refused to them (NotAllowed)."""
    consent = (
        ParticipationConsent.objects.select_related("user").filter(token_hash=_digest(token)).first() if token else None
    )
    if consent is None:
        raise NotFound("this link is not one we sent, or it has been replaced by a newer one")
    if getattr(viewer, "pk", None) == consent.user_id:
        raise NotAllowed(f"this link is for your {consent.get_kind_display().lower()} to open, not for you")
    if consent.status != Status.PENDING:
        return ConsentLink(None, "This answer has already been recorded; the link works only once.")
    if consent.token_expires_at is None or consent.token_expires_at <= timezone.now():
        return ConsentLink(
            None, f"This link has expired. {consent.user.name} can send you a new one from their account."
        )
    return ConsentLink(consent)


def consent_answer(
    *, token: str, give: bool, signed_name: str, share_outside: bool = False, viewer: object = None
) -> ParticipationConsent:
    """The grown-up confirms or declines through the emailed link, typing their name; the link then stops
    working. Only a guardian's consent carries the sharing tick."""
    signed_name = signed_name.strip()
    if not signed_name:
        raise InvalidInput.on("signed_name", "type your full name to sign your answer")
    with transaction.atomic():
        link = consent_link_get(token=token, viewer=viewer)
        if link.consent is None:
            raise InvalidState(link.problem)
        # Locked and checked again: a double click or a mail scanner racing the person records one answer.
        consent = ParticipationConsent.objects.select_for_update().get(pk=link.consent.pk)
        if consent.status != Status.PENDING or consent.token_hash != _digest(token):
            raise InvalidState("This answer has already been recorded; the link works only once.")
        consent.status = Status.GIVEN if give else Status.DECLINED
        consent.share_outside = bool(give and share_outside and consent.kind == Kind.GUARDIAN)
        # The digest stays, so the link, opened again, says the answer is recorded instead of "not ours".
        consent.signed_name, consent.decided_at = signed_name, timezone.now()
        consent.save()
        audit_record(
            action="participation.answered",
            subject=consent,
            actor=None,
            old=Status.PENDING,
            new=consent.status,
            data={
                "kind": consent.kind,
                "taking_part": give,
                "sharing_outside": consent.share_outside,
                "by": "the emailed link",
            },
        )
    return consent
