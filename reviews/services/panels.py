"""Panels: who may sit on an attempt's panel, and filling its seats.

Submitting an attempt (workflow.attempt_submit) starts its review here: the panel's seats are created
from the policy and each is given the best eligible reviewer (others before the previous attempt's
reviewers, then the fewest open reviews, then the longest idle). A seat nobody eligible can take waits in
the queue; the issuer's admins are told once, and `seats_fill_waiting` tries again whenever a change may
have made someone eligible (a reviewer freed capacity or became calibrated), after that change commits.
Lock order: see reviews.services._shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django_tasks import task

from accounts.models import ReviewerProfile, User
from catalog.schema import Seat as SeatSpec
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
from submissions.models import Attempt, AttemptStatus, EventKind
from submissions.services import attempt_transition

REVIEWABLE = (AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW)


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


# ----- eligibility ------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    profile: ReviewerProfile
    open: int = 0
    last_assigned: datetime | None = None
    previous: bool = False  # reviewed the candidate's previous attempt

    def key(self) -> tuple[bool, int, datetime, int]:
        # Others before the previous attempt's reviewers; then fewest open; then longest idle.
        idle = self.last_assigned or datetime.min.replace(tzinfo=timezone.get_current_timezone())
        return (self.previous, self.open, idle, self.profile.pk)


@dataclass
class _Context:
    """What eligibility needs to know about one attempt, gathered once."""

    attempt: Attempt
    educator: User
    on_panel: set[int]  # users who hold or held any seat of this attempt
    previous_reviewers: set[int]
    calibration: dict[int, CalibrationStatus]


def _context(attempt: Attempt, profiles: Sequence[ReviewerProfile]) -> _Context:
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
        reviewer_ids=[p.user_id for p in profiles],
        required=spec.calibration.required,
        agreement=spec.calibration.agreement,
    )
    return _Context(attempt, educator, on_panel, previous, calibration)


def _ineligible(profile: ReviewerProfile, seat: Seat, ctx: _Context) -> str | None:
    """Why this reviewer may not take this seat, or None. Capacity is checked separately, under the lock."""
    user = profile.user
    if not profile.is_active or not user.is_active:
        return "is not an active reviewer"
    if user.pk == ctx.educator.pk:
        return "is the candidate"
    if seat.kind != "any" and profile.kind != seat.kind:
        return f"is not {'issuer staff' if seat.kind == 'issuer_staff' else 'a mentor'}, as this seat needs"
    if seat.match_grade_band and ctx.attempt.grade_band not in profile.grade_band_list():
        return "does not review the grade band of this submission"
    organisation = _norm(ctx.educator.organisation)
    if organisation and _norm(user.organisation) == organisation:
        return "works at the candidate's school or organisation"
    if organisation and organisation in {_norm(line) for line in profile.conflicts.splitlines() if line.strip()}:
        return "has declared a conflict with the candidate's school or organisation"
    if user.pk in ctx.on_panel:
        return "already holds or held a seat on this attempt's panel"
    status = ctx.calibration.get(user.pk)
    if status is not None and not status.calibrated:
        return "is not calibrated for this credential's rubric"
    return None


def _pool(attempt: Attempt) -> list[ReviewerProfile]:
    return list(
        ReviewerProfile.objects.filter(
            issuers=attempt.version.credential.issuer_id, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    )


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
            raise InvalidState(f"attempt {locked.number} is {locked.get_status_display().lower()}; it is not reviewed")
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


def seat_refusal(*, seat: Seat, profile: ReviewerProfile, attempt: Attempt) -> str | None:
    """Why this reviewer may not take this seat of the locked attempt now, capacity included; None when they
    may. Locks their profile (lock order step 4), so the capacity read stands until commit."""
    why = _ineligible(profile, seat, _context(attempt, [profile]))
    if why is None:
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
    pool = [p for p in _pool(attempt) if p.user_id not in set(exclude)]
    ctx = _context(attempt, pool)
    eligible_anywhere = [p for p in pool if any(_ineligible(p, seat, ctx) is None for seat in seats)]
    lock_profiles(p.user_id for p in eligible_anywhere)
    open_counts, last = _loads([p.user_id for p in eligible_anywhere])
    candidates = {
        p.user_id: _Candidate(
            p, open_counts.get(p.user_id, 0), last.get(p.user_id), p.user_id in ctx.previous_reviewers
        )
        for p in eligible_anywhere
    }
    filled = 0
    for seat in seats:
        fitting = [
            c for c in candidates.values() if c.open < c.profile.capacity and _ineligible(c.profile, seat, ctx) is None
        ]
        if not fitting:
            continue
        best = min(fitting, key=_Candidate.key)
        seat_assign(seat=seat, profile=best.profile, attempt=attempt, now=now, by=None)
        best.open += 1
        best.last_assigned = now
        ctx.on_panel.add(best.profile.user_id)
        filled += 1
    return filled


def seat_assign(
    *, seat: Seat, profile: ReviewerProfile, attempt: Attempt, now: datetime, by: User | None
) -> Assignment:
    """Put the reviewer on the seat of the locked attempt, with the policy's deadlines, and tell them. `by` is the
    admin who chose them (None: the rules did). Eligibility and capacity are the caller's checks."""
    policy = attempt.version.spec.review_policy
    due = now + timedelta(days=policy.due_days)
    assignment = Assignment.objects.create(
        seat=seat,
        attempt=attempt,
        reviewer=profile.user,
        assigned_at=now,
        assigned_by=by,
        due_at=due,
        remind_at=due - timedelta(days=policy.reminder_days_before) if policy.reminder_days_before else None,
        expires_at=due + timedelta(days=policy.grace_days),
    )
    seat.reviewer = profile.user
    seat.waiting_since = None
    seat.save(update_fields=["reviewer", "waiting_since"])
    audit_record(
        action="assignment.created",
        subject=assignment,
        actor=by,
        new=AssignmentState.OPEN,
        data={"attempt": attempt.pk, "seat": seat.position, "reviewer": profile.user_id, "automatic": by is None},
        issuer_id=issuer_id_of(attempt),
        at=now,
    )
    notification_send(
        user=profile.user,
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
                Seat.objects.filter(pk__in=[s.pk for s in seats]).update(closed_at=now or timezone.now())
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
