from __future__ import annotations

import threading
from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q

from catalog.models import Issuer
from catalog.schema import GRADE_BANDS
from core.errors import InvalidInput


class AgeBracket(models.TextChoices):
    """The brackets sign-up offers; "under 13" is refused there and never stored."""

    UNDER_13 = "under_13", "Under 13"
    TEEN = "13_17", "13 to 17"
    ADULT = "18_plus", "18 or over"


# (secret key, stored password hash) -> the session hash Django derives from the two: an HMAC every signed-in request
# computes again to check its session. The same two always give the same hash, a new password or key is another
# entry, and what is kept is only what every such session holds already. Bounded, the oldest going first. (Hashes
# for the fallback keys, asked only of a session the current key fails, are not kept.)
_SESSION_HASHES: dict[tuple[str, str], str] = {}
_SESSION_HASHES_KEPT = 10_000
_SESSION_HASHES_LOCK = threading.Lock()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise InvalidInput.on("email", "an email address is required: people sign in with it")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # Emails are stored lower-cased (User.save), so every sign-in path, the admin's included, is
        # case-insensitive and still one lookup on the unique index.
        return self.get(email=(username or "").strip().lower())

    async def aget_by_natural_key(self, username: str | None) -> User:
        return await self.aget(email=(username or "").strip().lower())

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person; signs in with their email address. A platform admin is a superuser."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150)
    organisation = models.CharField(
        max_length=200, blank=True, help_text="School or organisation; reviewers are never assigned to a colleague."
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Stated at sign-up (accounts/participants.py). Blank: never stated (accounts older than the question, and
    # accounts others make: staff, reviewers), which counts as an adult.
    age_bracket = models.CharField(max_length=10, choices=AgeBracket.choices, blank=True, default="")
    # The language of their pages and emails (settings.LANGUAGES); blank follows the browser (core/locale.py).
    language = models.CharField(max_length=8, blank=True, default="", choices=settings.LANGUAGES)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["name"]
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    def get_session_auth_hash(self) -> str:
        key = (settings.SECRET_KEY, self.password)
        found = _SESSION_HASHES.get(key)
        if found is None:
            found = super().get_session_auth_hash()
            with _SESSION_HASHES_LOCK:
                if len(_SESSION_HASHES) >= _SESSION_HASHES_KEPT and key not in _SESSION_HASHES:
                    del _SESSION_HASHES[next(iter(_SESSION_HASHES))]
                _SESSION_HASHES[key] = found
        return found

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_minor(self) -> bool:
        return self.age_bracket == AgeBracket.TEEN

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class IssuerMembership(models.Model):
    """Someone who works for an issuer: its admins run the issuer's programs, its staff review."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Issuer admin"
        STAFF = "staff", "Issuer staff"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "issuer", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.issuer}"


def password_saved(instance: User, *, created: bool, raw: bool, update_fields: Any) -> bool:
    """For post_save receivers: did this save store a new password of an existing account? AbstractBaseUser keeps the
    new raw password in `_password` from set_password() until the save that stores it has finished, so post_save
    still sees it, and only a real change sets it."""
    changed = getattr(instance, "_password", None) is not None
    return not (created or raw or not changed or (update_fields is not None and "password" not in update_fields))


def grade_bands_store(bands: list[str]) -> str:
    """Grade bands as a role stores them ("|primary|college|"), refused naming the field when one is unknown."""
    unknown = [band for band in bands if band not in GRADE_BANDS]
    if unknown:
        raise InvalidInput.on(
            "grade_bands",
            f"unknown grade band(s): {', '.join(unknown)}; choose from: {', '.join(GRADE_BANDS)}",
        )
    return "|" + "".join(f"{band}|" for band in dict.fromkeys(bands))


class ReviewerProfile(models.Model):
    """What is true of a reviewer wherever they review: how much they take on, whom they must not judge, and
    whether they take new work at all. What they review as, and for whom, are their roles (ReviewerRole)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reviewer_profile")
    capacity = models.PositiveSmallIntegerField(default=5, help_text="Most open assignments at once.")
    conflicts = models.TextField(blank=True, help_text="Other schools or organisations to avoid, one per line.")
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.user} (reviewer)"


class ReviewerRole(models.Model):
    """A role an issuer has given a person on its review panels: a seat of that kind at that issuer may take
    them, and a seat matching grade bands only when this role holds the submission's band."""

    class Kind(models.TextChoices):
        ISSUER_STAFF = "issuer_staff", "Issuer staff"
        MENTOR = "mentor", "Mentor"
        LEAD_ASSESSOR = "lead_assessor", "Lead assessor"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reviewer_roles")
    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="reviewer_roles")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Stored as "|primary|college|" so a grade-band match is one indexed `contains` on any database.
    grade_bands = models.CharField(max_length=200, default="|", blank=True)
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "issuer", "kind"], name="reviewer_role_unique")]
        indexes = [models.Index(fields=["issuer", "kind"], name="reviewer_role_issuer_kind")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} at {self.issuer}"

    def grade_band_list(self) -> list[str]:
        return [band for band in self.grade_bands.split("|") if band in GRADE_BANDS]

    def set_grade_bands(self, bands: list[str]) -> None:
        self.grade_bands = grade_bands_store(bands)


def pause_in_force(today: date) -> Q:
    """The ReviewerPause rows that stop new seats on `today`: open-ended ones, and those resuming later."""
    return Q(until__isnull=True) | Q(until__gt=today)


class ReviewerPause(models.Model):
    """One issuer's admins have stopped giving the person new seats of that issuer's credentials, until they
    resume them (or `until`, the day new seats may come again). Reviews already held stay the reviewer's. The
    profile's own `is_active` is the person-level switch, wherever they review; this one is per issuer, so one
    issuer's pause says nothing about another's panels. Pausing and resuming are in the audit log."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reviewer_pauses")
    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="reviewer_pauses")
    until = models.DateField(
        null=True, blank=True, help_text="New seats come again from this day; empty: until resumed."
    )
    reason = models.CharField(max_length=500, blank=True)
    paused_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    paused_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "issuer"], name="reviewer_pause_unique")]

    def __str__(self) -> str:
        return f"{self.user} paused at {self.issuer}"

    def in_force(self, today: date) -> bool:
        return self.until is None or self.until > today


class ReviewerInvite(models.Model):
    """An issuer's invitation to review, sent to an address that had no account: the roles (each with the same
    grade bands) are given when the invitee accepts through the emailed link, which makes their account, or
    links the account that address has by then. The link's token is stored only as its digest
    (accounts/email_links.py); sending again replaces it. At most one invitation per issuer and address waits."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="reviewer_invites")
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=150)
    kinds = models.JSONField(default=list)  # ReviewerRole.Kind values, in the platform's order
    grade_bands = models.CharField(max_length=200, default="|", blank=True)  # stored as ReviewerRole's
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    token_hash = models.CharField(max_length=64)
    token_expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invited_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    sent_count = models.PositiveSmallIntegerField(default=1)
    ended_at = models.DateTimeField(null=True, blank=True)  # accepted or revoked
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "email"], condition=Q(status="pending"), name="reviewer_invite_one_pending"
            )
        ]
        # The emailed link is looked up by its digest.
        indexes = [models.Index(fields=["token_hash"], name="reviewer_invite_token_hash")]

    def __str__(self) -> str:
        return f"invitation of {self.email} to review for {self.issuer}: {self.get_status_display()}"

    def grade_band_list(self) -> list[str]:
        return [band for band in self.grade_bands.split("|") if band in GRADE_BANDS]


class Throttle(models.Model):
    """A fixed-window counter of one kind of request (`scope`) for one key: an address or a network.

    The key is stored as a keyed digest, so the table holds no email or IP address. Counting is done with
    conditional UPDATEs (accounts/throttle.py), which keeps it exact across processes and servers.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="throttle_scope_key_unique")]
        indexes = [models.Index(fields=["window_start"], name="throttle_window_start")]

    def __str__(self) -> str:
        return f"{self.scope}: {self.hits} since {self.window_start:%Y-%m-%d %H:%M}"


class ParticipationConsent(models.Model):
    """A grown-up's word on a participant under 18: their guardian's consent, or their chapter advisor's approval.

    One row per participant and kind, asked again in place (a new link, the earlier answer cleared); every
    request and answer is in the audit log. The link's token is stored only as its SHA-256 digest. The
    personal data of the grown-up is in `contact_name`, `contact_email` and `signed_name` (what account
    deletion erases)."""

    class Kind(models.TextChoices):
        GUARDIAN = "guardian", "Parent or guardian"
        ADVISOR = "advisor", "Chapter advisor"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        GIVEN = "given", "Given"
        DECLINED = "declined", "Declined"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="participation_consents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(max_length=254)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The guardian's separate tick: the participant's credentials may be shared outside the platform.
    share_outside = models.BooleanField(default=False)
    signed_name = models.CharField(max_length=150, blank=True, help_text="The name typed by whoever answered.")
    token_hash = models.CharField(max_length=64, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="participation_consent_unique")]
        # The emailed link is looked up by its digest.
        indexes = [models.Index(fields=["token_hash"], name="participation_token_hash")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.user}: {self.get_status_display()}"
