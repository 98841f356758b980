"""Panels: who may sit on an attempt's panel, and filling its seats.

Submitting an attempt (workflow.attempt_submit) starts its review here: the panel's seats are created
from the policy and each is given the best eligible reviewer (others before the previous attempt's
reviewers, then the fewest open reviews, then the longest idle). A seat takes only a reviewer to whom the
credential's issuer has given a role of the seat's kind (any role for a seat of kind `any`), and, when it
matches grade bands, a role holding the submission's band. A seat nobody eligible can take waits in
the queue; the issuer's admins are told once, and `seats_fill_waiting` tries again whenever a change may
have made someone eligible (a reviewer freed capacity or became calibrated), after that change commits.
Lock order: see reviews.services._shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from accounts.models import ReviewerPause, ReviewerProfile, ReviewerRole, User, pause_in_force
from catalog.schema import Seat as SeatSpec
from coaching.models import CoachingShare
from core.audit import audit_record
from core.errors import InvalidState
from notifications.models import NotificationKind
from notifications.services import notification_send, notification_send_many
from reviews import links
from reviews.calibration import rubric_hash
from reviews.models import Assignment, AssignmentState, Seat, SeatRole
from reviews.selectors.access import issuer_admins
from reviews.selectors.calibration import CalibrationStatus, calibration_by_reviewer
from reviews.services._shared import date_text, issuer_id_of, lock_attempt, lock_profiles
from submissions.models import Attempt, AttemptStatus, Attestation, EventKind
from submissions.services import attempt_transition

REVIEWABLE = (AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW)


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


# ----- eligibility ------------------------------------------------------------------------------------

SEAT_KIND_WORDS: dict[str, str] = {
    ReviewerRole.Kind.ISSUER_STAFF: "issuer staff",
    ReviewerRole.Kind.MENTOR: "a mentor",
    ReviewerRole.Kind.LEAD_ASSESSOR: "a lead assessor",
}


@dataclass
class Reviewer:
    """A reviewer as a panel at one issuer sees them: their profile and the roles that issuer gave them
    (kind -> the grade bands held on that role)."""

    profile: ReviewerProfile
    roles: dict[str, list[str]] = field(default_factory=dict)
    paused: bool = False  # that issuer's admins paused them there (accounts.ReviewerPause in force)

    @property
    def user_id(self) -> int:
        return self.profile.user_id


@dataclass
class _Candidate:
    reviewer: Reviewer
    open: int = 0
    last_assigned: datetime | None = None
    previous: bool = False  # reviewed the candidate's previous attempt

    def key(self) -> tuple[bool, int, datetime, int]:
        # Others before the previous attempt's reviewers; then fewest open; then longest idle.
        idle = self.last_assigned or datetime.min.replace(tzinfo=timezone.get_current_timezone())
        return (self.previous, self.open, idle, self.reviewer.profile.pk)


@dataclass
class _Context:
    """What eligibility needs to know about one attempt, gathered once."""

    attempt: Attempt
    educator: User
    on_panel: set[int]  # users who hold or held any seat of this attempt
    previous_reviewers: set[int]
    calibration: dict[int, CalibrationStatus]
    # Who met this draft outside review, and so knows whose it is: its coaches (by account and by the address the
    # educator named) and every collaborator asked to confirm one of its planning conversations (by address).
    acquainted_ids: set[int] = field(default_factory=set)
    acquainted_emails: set[str] = field(default_factory=set)


def _context(attempt: Attempt, reviewers: Sequence[Reviewer]) -> _Context:
    spec = attempt.version.spec.review_policy
    educator = attempt.submission.educator
    on_panel = set(Assignment.objects.filter(attempt=attempt).values_list("reviewer_id", flat=True))
    previous = set(
        Assignment.objects.filter(
            attempt__submission_id=attempt.submission_id,
            attempt__number__lt=attempt.number,
            state=AssignmentState.SUBMITTED,
        ).values_list("reviewer_id", flat=True)
    )
    calibration = calibration_by_reviewer(
        credential_id=attempt.version.credential_id,
        hash_=rubric_hash(attempt.version.definition),
        reviewer_ids=[r.user_id for r in reviewers],
        required=spec.calibration.required,
        agreement=spec.calibration.agreement,
    )
    coaches = CoachingShare.objects.filter(submission_id=attempt.submission_id).values_list("coach_id", "email")
    asked = Attestation.objects.filter(submission_id=attempt.submission_id).values_list("email", flat=True)
    acquainted_ids = {coach for coach, _ in coaches if coach is not None}
    acquainted_emails = {email.lower() for _, email in coaches} | {email.lower() for email in asked}
    return _Context(attempt, educator, on_panel, previous, calibration, acquainted_ids, acquainted_emails)


def _role_refusal(reviewer: Reviewer, seat: Seat, band: str) -> str | None:
    """Why the reviewer's roles at the credential's issuer do not fit this seat, or None."""
    if not reviewer.roles:
        return "holds no reviewer role at this credential's issuer"
    if seat.kind == "any":
        bands_held = [b for bands in reviewer.roles.values() for b in bands]
    elif seat.kind in reviewer.roles:
        bands_held = reviewer.roles[seat.kind]
    else:
        return f"is not {SEAT_KIND_WORDS.get(seat.kind, seat.kind)} of this credential's issuer, as this seat needs"
    if seat.match_grade_band and band not in bands_held:
        return "does not review the grade band of this submission for this credential's issuer"
    return None


def _ineligible(reviewer: Reviewer, seat: Seat, ctx: _Context) -> str | None:
    """Why this reviewer may not take this seat, or None. Capacity is checked separately, under the lock."""
    profile = reviewer.profile
    user = profile.user
    if not profile.is_active or not user.is_active:
        return "is not an active reviewer"
    if reviewer.paused:
        return "is paused at this credential's issuer: its admins resume them from the Reviewers page"
    if user.pk == ctx.educator.pk:
        return "is the candidate"
    why = _role_refusal(reviewer, seat, ctx.attempt.grade_band)
    if why:
        return why
    organisation = _norm(ctx.educator.organisation)
    if organisation and _norm(user.organisation) == organisation:
        return "works at the candidate's school or organisation"
    if organisation and organisation in {_norm(line) for line in profile.conflicts.splitlines() if line.strip()}:
        return "has declared a conflict with the candidate's school or organisation"
    if user.pk in ctx.acquainted_ids or user.email.lower() in ctx.acquainted_emails:
        return "knows the candidate: coached this draft or was asked to confirm one of its planning conversations"
    if user.pk in ctx.on_panel:
        return "already holds or held a seat on this attempt's panel"
    status = ctx.calibration.get(user.pk)
    if status is not None and not status.calibrated:
        return "is not calibrated for this credential's rubric"
    return None


def reviewers_at(*, issuer_id: int, user_ids: Iterable[int] | None = None) -> list[Reviewer]:
    """The active reviewers holding a role at the issuer (or those of `user_ids` who do), each with their roles
    there, in profile order: one query, however many roles."""
    roles = ReviewerRole.objects.filter(
        issuer_id=issuer_id, user__is_active=True, user__reviewer_profile__is_active=True
    ).select_related("user__reviewer_profile")
    # An issuer's pause is per issuer, so it is read here, in the same query, rather than from the profile.
    paused = ReviewerPause.objects.filter(
        pause_in_force(timezone.localdate()), issuer_id=issuer_id, user=OuterRef("user")
    )
    roles = roles.annotate(paused_here=Exists(paused))
    if user_ids is not None:
        roles = roles.filter(user_id__in=list(user_ids))
    found: dict[int, Reviewer] = {}
    for role in roles.order_by("user__reviewer_profile__id", "kind"):
        profile = role.user.reviewer_profile
        reviewer = found.setdefault(role.user_id, Reviewer(profile, paused=role.paused_here))
        reviewer.roles[role.kind] = role.grade_band_list()
    return list(found.values())


def _pool(attempt: Attempt) -> list[Reviewer]:
    return reviewers_at(issuer_id=attempt.version.credential.issuer_id)


def _loads(user_ids: Sequence[int]) -> tuple[dict[int, int], dict[int, datetime]]:
    open_counts = dict(
        Assignment.objects.filter(reviewer_id__in=user_ids, state=AssignmentState.OPEN)
        .values("reviewer_id")
        .annotate(n=Count("id"))
        .values_list("reviewer_id", "n")
    )
    last = dict(
        Assignment.objects.filter(reviewer_id__in=user_ids)
        .values("reviewer_id")
        .annotate(last=Max("assigned_at"))
        .values_list("reviewer_id", "last")
    )
    return open_counts, last


# ----- panels ------------------------------------------------------------------------------------------


def attempt_review_start(*, attempt: Attempt) -> list[Seat]:
    """What submitting a complete attempt starts (workflow.attempt_submit calls it in the transaction that
    froze the attempt): the educator is told it arrived, and its panel is assigned."""
    submission = attempt.submission
    notification_send(
        user=submission.educator,
        kind=NotificationKind.ATTEMPT_SUBMITTED,
        context={
            "credential": attempt.version.spec.title,
            "attempt_number": attempt.number,
            "panel_size": attempt.version.spec.review_policy.panel_size,
        },
        url=links.attempt_path(attempt),
    )
    return panel_assign(attempt=attempt)


def panel_assign(*, attempt: Attempt, now: datetime | None = None) -> list[Seat]:
    """Create the attempt's panel seats (policy.seats, in order) and fill every one it can.

    Idempotent: seats are created once; calling again only tries the seats still waiting. A seat no
    eligible reviewer can take stays waiting (the visible queue) and the issuer's admins are told once.
    The attempt moves to in_review as soon as one reviewer holds a seat (from then on it cannot be
    withdrawn)."""
    now = now or timezone.now()
    with transaction.atomic():
        _, locked = lock_attempt(attempt)
        if locked.status not in REVIEWABLE:
            raise InvalidState(
                gettext("attempt %(number)s is %(status)s; it is not reviewed")
                % {"number": locked.number, "status": locked.get_status_display().lower()}
            )
        seats = list(locked.review_seats.filter(role=SeatRole.PANEL).order_by("position"))
        if not seats:
            seats = _seats_create(locked, locked.version.spec.review_policy.seats, SeatRole.PANEL, now)
        _seats_fill(locked, [s for s in seats if s.is_waiting], now=now)
        _after_fill(locked, attempt, now=now)
    return list(Seat.objects.filter(attempt=locked).select_related("reviewer").order_by("position"))


def seats_add(*, attempt: Attempt, specs: Sequence[SeatSpec], role: str, now: datetime) -> list[Seat]:
    """Add seats to the locked attempt's panel (the adjudication seat, when the assessors disagree) and fill
    what can be filled now."""
    seats = _seats_create(attempt, specs, role, now)
    _seats_fill(attempt, seats, now=now)
    _after_fill(attempt, None, now=now)
    return seats


def seat_refill(*, attempt: Attempt, seat_id: int, now: datetime) -> Assignment | None:
    """Give a seat its holder just left to the best eligible reviewer; the new assignment, or None when the
    seat waits in the queue."""
    seat = Seat.objects.get(pk=seat_id)
    _seats_fill(attempt, [seat], now=now)
    _after_fill(attempt, None, now=now)
    return Assignment.objects.filter(seat_id=seat_id, state=AssignmentState.OPEN).first()


def seat_refusal(*, seat: Seat, reviewer: Reviewer, attempt: Attempt) -> str | None:
    """Why this reviewer may not take this seat of the locked attempt now, capacity included; None when they
    may. Locks their profile (lock order step 4), so the capacity read stands until commit."""
    why = _ineligible(reviewer, seat, _context(attempt, [reviewer]))
    if why is None:
        profile = reviewer.profile
        lock_profiles([profile.user_id])
        if _loads([profile.user_id])[0].get(profile.user_id, 0) >= profile.capacity:
            why = f"already has {profile.capacity} open reviews, their capacity"
    return why


def _seats_create(attempt: Attempt, specs: Sequence[SeatSpec], role: str, now: datetime) -> list[Seat]:
    start = (attempt.review_seats.aggregate(last=Max("position"))["last"] or 0) + 1
    seats: list[Seat] = []
    for spec in specs:
        for _ in range(spec.count):
            seats.append(
                Seat.objects.create(
                    attempt=attempt,
                    position=start + len(seats),
                    role=role,
                    kind=spec.kind,
                    match_grade_band=spec.match_grade_band,
                    title=spec.title or "",
                    waiting_since=now,
                    created_at=now,
                )
            )
    return seats


def _seats_fill(attempt: Attempt, seats: Sequence[Seat], *, now: datetime, exclude: Iterable[int] = ()) -> int:
    """Give each waiting seat the best eligible reviewer (see the module docstring for the lock)."""
    if not seats:
        return 0
    pool = [r for r in _pool(attempt) if r.user_id not in set(exclude)]
    ctx = _context(attempt, pool)
    eligible_anywhere = [r for r in pool if any(_ineligible(r, seat, ctx) is None for seat in seats)]
    lock_profiles(r.user_id for r in eligible_anywhere)
    open_counts, last = _loads([r.user_id for r in eligible_anywhere])
    candidates = {
        r.user_id: _Candidate(
            r, open_counts.get(r.user_id, 0), last.get(r.user_id), r.user_id in ctx.previous_reviewers
        )
        for r in eligible_anywhere
    }
    keep_leads = attempt.version.spec.review_policy.adjudication is not None
    filled = 0
    for seat in seats:
        fitting = [
            c
            for c in candidates.values()
            if c.open < c.reviewer.profile.capacity and _ineligible(c.reviewer, seat, ctx) is None
        ]
        if not fitting:
            continue
        if seat.kind == "any" and keep_leads:
            # A lead assessor seated as an assessor could not then adjudicate a split on this panel, so the
            # assessor seats go to others whenever anyone else fits.
            fitting = [c for c in fitting if "lead_assessor" not in c.reviewer.roles] or fitting
        best = min(fitting, key=_Candidate.key)
        seat_assign(seat=seat, user=best.reviewer.profile.user, attempt=attempt, now=now, by=None)
        best.open += 1
        best.last_assigned = now
        ctx.on_panel.add(best.reviewer.user_id)
        filled += 1
    return filled


def seat_assign(*, seat: Seat, user: User, attempt: Attempt, now: datetime, by: User | None) -> Assignment:
    """Put the reviewer on the seat of the locked attempt, with the policy's deadlines, and tell them. `by` is the
    admin who chose them (None: the rules did). Eligibility and capacity are the caller's checks."""
    policy = attempt.version.spec.review_policy
    due = now + timedelta(days=policy.due_days)
    assignment = Assignment.objects.create(
        seat=seat,
        attempt=attempt,
        reviewer=user,
        assigned_at=now,
        assigned_by=by,
        due_at=due,
        remind_at=due - timedelta(days=policy.reminder_days_before) if policy.reminder_days_before else None,
        expires_at=due + timedelta(days=policy.grace_days),
    )
    seat.reviewer = user
    seat.waiting_since = None
    seat.save(update_fields=["reviewer", "waiting_since"])
    audit_record(
        action="assignment.created",
        subject=assignment,
        actor=by,
        new=AssignmentState.OPEN,
        data={"attempt": attempt.pk, "seat": seat.position, "reviewer": user.pk, "automatic": by is None},
        issuer_id=issuer_id_of(attempt),
        at=now,
    )
    if seat.role == SeatRole.APPEAL:
        # The appeal's own trail (reviews.services.appeals): requested, assigned, decided.
        audit_record(
            action="appeal.assigned",
            subject=assignment,
            actor=by,
            new=AssignmentState.OPEN,
            data={"attempt": attempt.pk, "seat": seat.position, "reviewer": user.pk},
            issuer_id=issuer_id_of(attempt),
            at=now,
        )
    notification_send(
        user=user,
        kind=NotificationKind.REVIEW_ASSIGNED,
        context={
            "credential": attempt.version.spec.title,
            "issuer": attempt.version.spec.issuer.name,
            "seat_title": seat.title,
            "due_on": date_text(due),
            "adjudicator": seat.role == SeatRole.ADJUDICATOR,
        },
        url=links.assignment_path(assignment.pk),
    )
    return assignment


def _after_fill(locked: Attempt, caller: Attempt | None, *, now: datetime) -> None:
    """Start the review once someone holds a seat; tell the admins about seats left waiting (once each)."""
    if locked.status == AttemptStatus.SUBMITTED and locked.review_seats.filter(reviewer__isnull=False).exists():
        attempt_transition(attempt=locked, actor=None, kind=EventKind.IN_REVIEW, data={"panel": "assigned"})
        if caller is not None and caller is not locked:
            caller.status, caller.status_changed_at = locked.status, locked.status_changed_at
    waiting = list(
        locked.review_seats.filter(reviewer__isnull=True, closed_at__isnull=True, admins_notified_at__isnull=True)
    )
    if not waiting:
        return
    Seat.objects.filter(pk__in=[s.pk for s in waiting]).update(admins_notified_at=now)
    definition = locked.version.spec
    for seat in waiting:
        audit_record(
            action="seat.waiting",
            subject=seat,
            actor=None,
            new="waiting",
            data={"attempt": locked.pk},
            issuer_id=issuer_id_of(locked),
        )
    notification_send_many(
        users=issuer_admins(issuer_id=issuer_id_of(locked)),
        kind=NotificationKind.SEAT_WAITING,
        context={
            "credential": definition.title,
            "attempt_ref": f"{locked.submission_id}-{locked.number}",
            "seats": [s.title or s.kind.replace("_", " ") for s in waiting],
            "count": len(waiting),
        },
        url=links.pipeline_path(),
    )


def seats_fill_waiting(*, now: datetime | None = None, limit: int = 500) -> int:
    """Try every waiting seat again, oldest first, each attempt in its own transaction; answers how many
    were filled. Seats of attempts no longer under review (withdrawn, returned) are closed."""
    waiting = list(
        Seat.objects.filter(reviewer__isnull=True, closed_at__isnull=True)
        .order_by("waiting_since", "id")
        .values_list("attempt_id", flat=True)[:limit]
    )
    filled = 0
    for attempt_id in dict.fromkeys(waiting):
        with transaction.atomic():
            attempt = Attempt.objects.get(pk=attempt_id)
            _, locked = lock_attempt(attempt)
            seats = list(locked.review_seats.filter(reviewer__isnull=True, closed_at__isnull=True).order_by("position"))
            if locked.status not in REVIEWABLE:
                # An appeal's seat belongs to a decided attempt; it is closed when its appeal is decided.
                Seat.objects.filter(pk__in=[s.pk for s in seats if s.role != SeatRole.APPEAL]).update(
                    closed_at=now or timezone.now()
                )
                seats = [s for s in seats if s.role == SeatRole.APPEAL]
                if not seats:
                    continue
            stamp = now or timezone.now()
            filled += _seats_fill(locked, seats, now=stamp)
            _after_fill(locked, None, now=stamp)
    return filled


@task()
def reviews_fill_waiting_seats() -> int:
    """seats_fill_waiting as a background task, for a scheduler and for the after-commit retry below.

    Defined here rather than in reviews.tasks, which re-exports it: the services enqueue it, and a task
    module that imported the services while they imported it would be an import cycle."""
    return seats_fill_waiting()


def seats_fill_waiting_after_commit() -> None:
    """Once this transaction commits, try every waiting seat again, each attempt in its own transaction.

    Called after a change that may make a reviewer eligible elsewhere (capacity freed, calibration passed).
    Not done inline: filling other attempts' seats would take their locks inside this transaction, outside
    the lock order (see reviews.services._shared)."""
    transaction.on_commit(lambda: reviews_fill_waiting_seats.enqueue())
