"""Every change in reviewing: panels, assignments and their deadlines, calibration, scores, the decision,
overrides, extra attempts. Views, the API, commands and tasks all call these.

Locking. Everything that changes an attempt's review takes, in this order and never another:
  1. the Submission row, then 2. the Attempt row (submissions.services does the same, so
  attempt_transition called from here re-takes locks already held and cannot deadlock with a withdraw),
  3. the Assignment row concerned, then 4. the ReviewerProfile rows of the candidates, in one statement
  ordered by primary key (see `_lock_profiles`).
A transaction takes at most one such profile-lock statement: two statements, each ordered, could still
interleave with another transaction's and deadlock. Work on *other* attempts that a change makes
possible (a reviewer freed capacity or became calibrated: waiting seats may now be filled) runs after
commit, in its own transactions (reviews.tasks.reviews_fill_waiting_seats), for the same reason.

On SQLite there are no row locks; every transaction begins IMMEDIATE (microcred.env), which serialises
writers as a whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import formats, timezone

from accounts.models import IssuerMembership, ReviewerProfile, User
from catalog.models import Credential
from catalog.schema import CredentialDefinition, ReviewPolicy
from catalog.schema import Seat as SeatSpec
from notifications.models import NotificationKind
from notifications.services import notification_send, notification_send_many
from reviews import links, policy
from reviews.calibration import rubric_hash
from reviews.models import (
    Assignment,
    AssignmentState,
    AttemptGrant,
    AuditAction,
    AuditLog,
    CalibrationResult,
    CalibrationSample,
    Decision,
    DecisionOutcome,
    Review,
    ReviewState,
    Score,
    Seat,
    SeatRole,
)
from submissions.errors import FieldError, InvalidInput, InvalidState, NotAllowed
from submissions.models import Attempt, AttemptStatus, EventKind, Status, Submission
from submissions.services import attempt_submit, attempt_transition

# Below the passing level a score needs a reasoning and a suggestion of at least this many words each:
# enough to rule out "no" or "see above", short enough never to stand in a careful reviewer's way.
MIN_COMMENT_WORDS = 4
MAX_COMMENT_CHARS = 5000
REVIEWABLE = (AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW)


# ----- small helpers --------------------------------------------------------------------------------------


def _audit(
    *,
    action: str,
    subject: Any,
    actor: User | None,
    old: str = "",
    new: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor,
        action=action,
        subject_type=type(subject).__name__.lower(),
        subject_id=subject.pk,
        old=old,
        new=new,
        data=data or {},
        at=at or timezone.now(),
    )


def _lock_attempt(attempt: Attempt) -> tuple[Submission, Attempt]:
    """Lock order steps 1 and 2 (see the module docstring)."""
    submission = (
        Submission.objects.select_for_update(of=("self",)).select_related("educator").get(pk=attempt.submission_id)
    )
    locked = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("version__credential__issuer", "submission__educator")
        .get(pk=attempt.pk)
    )
    return submission, locked


def _lock_profiles(user_ids: Iterable[int]) -> None:
    """Lock order step 4: the reviewer profiles whose load is about to be read and raised.

    Two attempts assigned at once must not both count a reviewer's open assignments as 4 of 5 and both
    add one; holding these rows until commit makes the second count after the first has written. One
    statement, ordered by primary key, so two transactions lock overlapping sets in the same order."""
    ids = sorted(set(user_ids))
    if ids:
        list(ReviewerProfile.objects.select_for_update().filter(user_id__in=ids).order_by("pk").values_list("pk"))


def _definition(attempt: Attempt) -> CredentialDefinition:
    return attempt.version.spec


def _words(text: str) -> int:
    return len(text.split())


def _date(value: datetime) -> str:
    return str(formats.date_format(timezone.localtime(value), "DATE_FORMAT"))


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def is_issuer_admin(*, user: Any, issuer_id: int) -> bool:
    """An admin of this issuer, or a platform admin."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return IssuerMembership.objects.filter(user=user, issuer_id=issuer_id, role=IssuerMembership.Role.ADMIN).exists()


def _issuer_admins(issuer_id: int) -> list[User]:
    """Whom to tell about the issuer's queue; the platform admins when the issuer has no admin yet."""
    admins = list(
        User.objects.filter(
            is_active=True, memberships__issuer_id=issuer_id, memberships__role=IssuerMembership.Role.ADMIN
        ).distinct()
    )
    return admins or list(User.objects.filter(is_active=True, is_superuser=True))


def _require_reason(reason: str | None, *, field: str = "reason", what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput([FieldError(field, f"a reason is required: {what}")])
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput([FieldError(field, f"keep the reason under {MAX_COMMENT_CHARS} characters")])
    return text


def content_hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# ----- calibration --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationStatus:
    """Where a reviewer stands with a credential's samples for one rubric."""

    required: bool
    agreement_needed: float
    samples: int
    scored: int
    matches: int
    total: int

    @property
    def agreement(self) -> float:
        return self.matches / self.total if self.total else 0.0

    @property
    def calibrated(self) -> bool:
        if not self.required:
            return True
        return self.samples > 0 and self.scored >= self.samples and self.agreement >= self.agreement_needed


def _current_samples(credential_id: int, hash_: str) -> list[CalibrationSample]:
    return list(
        CalibrationSample.objects.filter(credential_id=credential_id, rubric_hash=hash_, retired_at__isnull=True)
    )


def _calibration_by_reviewer(
    *, credential_id: int, hash_: str, reviewer_ids: Iterable[int], required: bool, agreement: float
) -> dict[int, CalibrationStatus]:
    """Each reviewer's calibration for this rubric, in two queries however many reviewers are asked about.

    Calibrated means: a result on every sample in force, and over the latest result on each, at least
    `agreement` of all the criteria scored match the agreed level exactly."""
    ids = list(reviewer_ids)
    samples = {s.pk for s in _current_samples(credential_id, hash_)}
    latest: dict[tuple[int, int], CalibrationResult] = {}
    results = CalibrationResult.objects.filter(reviewer_id__in=ids, sample_id__in=samples, rubric_hash=hash_).order_by(
        "submitted_at", "id"
    )
    for result in results:
        latest[(result.reviewer_id, result.sample_id)] = result  # later rows win
    out = {}
    for reviewer_id in ids:
        mine = [r for (who, _), r in latest.items() if who == reviewer_id]
        out[reviewer_id] = CalibrationStatus(
            required=required,
            agreement_needed=agreement,
            samples=len(samples),
            scored=len(mine),
            matches=sum(r.matches for r in mine),
            total=sum(r.total for r in mine),
        )
    return out


def calibration_status(*, reviewer: User, credential: Credential, for_rubric: str | None = None) -> CalibrationStatus:
    """The reviewer's calibration for the credential's current rubric (or the rubric with hash `for_rubric`)."""
    version = credential.current_version
    if version is None:
        raise InvalidState("this credential has no version loaded")
    spec = version.spec.review_policy.calibration
    hash_ = for_rubric or rubric_hash(version.definition)
    return _calibration_by_reviewer(
        credential_id=credential.pk,
        hash_=hash_,
        reviewer_ids=[reviewer.pk],
        required=spec.required,
        agreement=spec.agreement,
    )[reviewer.pk]


def _reviewer_profile(user: User, credential: Credential) -> ReviewerProfile:
    profile = ReviewerProfile.objects.filter(user=user, is_active=True, issuers=credential.issuer_id).first()
    if profile is None:
        raise NotAllowed("only an active reviewer for this credential's issuer can calibrate for it")
    return profile


def calibration_submit(
    *, reviewer: User, credential: Credential, sample: CalibrationSample, levels: Mapping[str, Any]
) -> tuple[CalibrationResult, CalibrationStatus]:
    """Record the reviewer's levels on one sample; answers the result and where their calibration stands.

    Every criterion of the sample's rubric needs a level of that rubric. Results are kept (a reviewer
    may score a sample again; the latest counts). Becoming calibrated may let waiting seats be filled:
    that is tried after commit."""
    _reviewer_profile(reviewer, credential)
    if sample.credential_id != credential.pk or sample.retired_at is not None:
        raise InvalidState("this calibration sample is not in force for this credential; reload the samples")
    version = credential.current_version
    if version is None or rubric_hash(version.definition) != sample.rubric_hash:
        raise InvalidState("the credential's rubric has changed since this sample was shown; reload the samples")
    rubric = version.spec.rubric
    level_ids = [level.id for level in rubric.levels]
    errors: list[FieldError] = []
    unknown = [key for key in levels if key not in sample.agreed]
    errors += [FieldError(f"levels.{key}", "is not a criterion of this rubric") for key in unknown]
    for criterion in rubric.criteria:
        given = levels.get(criterion.id)
        if given in (None, ""):
            errors.append(FieldError(f"levels.{criterion.id}", f"choose a level for {criterion.title}"))
        elif given not in level_ids:
            errors.append(
                FieldError(f"levels.{criterion.id}", f"{given!r} is not a level; choose one of {', '.join(level_ids)}")
            )
    if errors:
        raise InvalidInput(errors)
    clean = {c.id: str(levels[c.id]) for c in rubric.criteria}
    matches = sum(1 for cid, level in clean.items() if sample.agreed.get(cid) == level)
    now = timezone.now()
    with transaction.atomic():
        result = CalibrationResult.objects.create(
            reviewer=reviewer,
            sample=sample,
            rubric_hash=sample.rubric_hash,
            levels=clean,
            matches=matches,
            total=len(clean),
            submitted_at=now,
        )
        _audit(
            action=AuditAction.CALIBRATION_RECORDED,
            subject=result,
            actor=reviewer,
            data={"sample": sample.key, "credential": credential.slug, "matches": matches, "total": len(clean)},
            at=now,
        )
        status = calibration_status(reviewer=reviewer, credential=credential, for_rubric=sample.rubric_hash)
        if status.calibrated:
            _fill_waiting_after_commit()
    return result, status


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
    policy: ReviewPolicy
    on_panel: set[int]  # users who hold or held any seat of this attempt
    previous_reviewers: set[int]
    calibration: dict[int, CalibrationStatus]


def _context(attempt: Attempt, profiles: Sequence[ReviewerProfile]) -> _Context:
    definition = _definition(attempt)
    spec = definition.review_policy
    educator = attempt.submission.educator
    on_panel = set(Assignment.objects.filter(attempt=attempt).values_list("reviewer_id", flat=True))
    previous = set(
        Assignment.objects.filter(
            attempt__submission_id=attempt.submission_id,
            attempt__number__lt=attempt.number,
            state=AssignmentState.SUBMITTED,
        ).values_list("reviewer_id", flat=True)
    )
    calibration = _calibration_by_reviewer(
        credential_id=attempt.version.credential_id,
        hash_=rubric_hash(attempt.version.definition),
        reviewer_ids=[p.user_id for p in profiles],
        required=spec.calibration.required,
        agreement=spec.calibration.agreement,
    )
    return _Context(attempt, educator, spec, on_panel, previous, calibration)


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
    """What submitting a complete attempt starts (called by submissions.services.attempt_submit, in its
    transaction): the educator is told it arrived, and its panel is assigned."""
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
        _, locked = _lock_attempt(attempt)
        if locked.status not in REVIEWABLE:
            raise InvalidState(f"attempt {locked.number} is {locked.get_status_display().lower()}; it is not reviewed")
        seats = list(locked.review_seats.filter(role=SeatRole.PANEL).order_by("position"))
        if not seats:
            seats = _seats_create(locked, _definition(locked).review_policy.seats, SeatRole.PANEL, now)
        _seats_fill(locked, [s for s in seats if s.is_waiting], now=now)
        _after_fill(locked, attempt, now=now)
    return list(Seat.objects.filter(attempt=locked).select_related("reviewer").order_by("position"))


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
    _lock_profiles(p.user_id for p in eligible_anywhere)
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
        _assign(seat=seat, profile=best.profile, attempt=attempt, policy=ctx.policy, now=now, by=None)
        best.open += 1
        best.last_assigned = now
        ctx.on_panel.add(best.profile.user_id)
        filled += 1
    return filled


def _assign(
    *, seat: Seat, profile: ReviewerProfile, attempt: Attempt, policy: ReviewPolicy, now: datetime, by: User | None
) -> Assignment:
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
    _audit(
        action=AuditAction.ASSIGNMENT_CREATED,
        subject=assignment,
        actor=by,
        new=AssignmentState.OPEN,
        data={"attempt": attempt.pk, "seat": seat.position, "reviewer": profile.user_id, "automatic": by is None},
        at=now,
    )
    notification_send(
        user=profile.user,
        kind=NotificationKind.REVIEW_ASSIGNED,
        context={
            "credential": _definition(attempt).title,
            "issuer": _definition(attempt).issuer.name,
            "seat_title": seat.title,
            "due_on": _date(due),
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
    definition = _definition(locked)
    for seat in waiting:
        _audit(action=AuditAction.SEAT_WAITING, subject=seat, actor=None, new="waiting", data={"attempt": locked.pk})
    notification_send_many(
        users=_issuer_admins(locked.version.credential.issuer_id),
        kind=NotificationKind.SEAT_WAITING,
        context={
            "credential": definition.title,
            "attempt_ref": f"{locked.submission_id}-{locked.number}",
            "seats": [s.title or s.kind.replace("_", " ") for s in waiting],
            "count": len(waiting),
        },
        url=links.pipeline_path(),
    )


def _fill_waiting_after_commit() -> None:
    from reviews.tasks import reviews_fill_waiting_seats

    transaction.on_commit(lambda: reviews_fill_waiting_seats.enqueue())


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
            _, locked = _lock_attempt(attempt)
            seats = list(locked.review_seats.filter(reviewer__isnull=True, closed_at__isnull=True).order_by("position"))
            if locked.status not in REVIEWABLE:
                Seat.objects.filter(pk__in=[s.pk for s in seats]).update(closed_at=now or timezone.now())
                continue
            stamp = now or timezone.now()
            filled += _seats_fill(locked, seats, now=stamp)
            _after_fill(locked, None, now=stamp)
    return filled


# ----- ending assignments: decline, reassign, expire --------------------------------------------------


def _end(*, assignment: Assignment, state: str, actor: User | None, reason: str, now: datetime, action: str) -> None:
    old = assignment.state
    assignment.state = state
    assignment.ended_at = now
    assignment.end_reason = reason
    assignment.save(update_fields=["state", "ended_at", "end_reason"])
    Seat.objects.filter(pk=assignment.seat_id).update(reviewer=None, waiting_since=now, admins_notified_at=None)
    _audit(
        action=action,
        subject=assignment,
        actor=actor,
        old=old,
        new=state,
        data={
            "attempt": assignment.attempt_id,
            "seat": assignment.seat_id,
            "reviewer": assignment.reviewer_id,
            "reason": reason,
        },
        at=now,
    )


def _lock_assignment(assignment: Assignment) -> tuple[Attempt, Assignment]:
    _, attempt = _lock_attempt(assignment.attempt)
    locked = Assignment.objects.select_for_update(of=("self",)).select_related("seat", "reviewer").get(pk=assignment.pk)
    return attempt, locked


def _refill(attempt: Attempt, seat_id: int, *, now: datetime) -> Assignment | None:
    seat = Seat.objects.get(pk=seat_id)
    _seats_fill(attempt, [seat], now=now)
    _after_fill(attempt, None, now=now)
    return Assignment.objects.filter(seat_id=seat_id, state=AssignmentState.OPEN).first()


def assignment_decline(*, assignment: Assignment, reviewer: User, reason: str) -> Assignment | None:
    """The reviewer hands the seat back, with a reason; it is refilled at once (never with them).
    Answers the new assignment of the seat, or None when it waits in the queue."""
    text = _require_reason(reason, what="say why you decline (for example a conflict of interest, or no time)")
    now = timezone.now()
    with transaction.atomic():
        attempt, locked = _lock_assignment(assignment)
        if locked.reviewer_id != reviewer.pk:
            raise NotAllowed("only the assigned reviewer can decline this review")
        if locked.state != AssignmentState.OPEN:
            raise InvalidState(f"this assignment is {locked.get_state_display().lower()}; it can no longer be declined")
        _end(
            assignment=locked,
            state=AssignmentState.DECLINED,
            actor=reviewer,
            reason=text,
            now=now,
            action=AuditAction.ASSIGNMENT_DECLINED,
        )
        replacement = _refill(attempt, locked.seat_id, now=now)
        _fill_waiting_after_commit()
    assignment.state = locked.state
    return replacement


def assignment_reassign(
    *, assignment: Assignment, admin: User, reason: str, to_reviewer: User | None = None
) -> Assignment | None:
    """An issuer admin takes an open assignment from its reviewer and gives the seat to `to_reviewer`
    (who must be eligible and within capacity) or, without one, to whoever the rules pick. Answers the
    new assignment, or None when the seat waits in the queue."""
    text = _require_reason(reason, what="say why the review is moved to someone else")
    now = timezone.now()
    with transaction.atomic():
        attempt, locked = _lock_assignment(assignment)
        if not is_issuer_admin(user=admin, issuer_id=attempt.version.credential.issuer_id):
            raise NotAllowed("only an admin of this credential's issuer can reassign its reviews")
        if locked.state != AssignmentState.OPEN:
            raise InvalidState(
                f"this assignment is {locked.get_state_display().lower()}; only an open one can be reassigned"
            )
        target: ReviewerProfile | None = None
        if to_reviewer is not None:
            target = ReviewerProfile.objects.select_related("user").filter(user=to_reviewer).first()
            if target is None or not target.issuers.filter(pk=attempt.version.credential.issuer_id).exists():
                raise InvalidInput([FieldError("to_reviewer", "is not a reviewer for this credential's issuer")])
            ctx = _context(attempt, [target])
            why = _ineligible(target, locked.seat, ctx)
            if why is None:
                _lock_profiles([target.user_id])
                if _loads([target.user_id])[0].get(target.user_id, 0) >= target.capacity:
                    why = f"already has {target.capacity} open reviews, their capacity"
            if why:
                raise InvalidInput([FieldError("to_reviewer", f"{to_reviewer.name or to_reviewer.email} {why}")])
        old_reviewer = locked.reviewer
        _end(
            assignment=locked,
            state=AssignmentState.REASSIGNED,
            actor=admin,
            reason=text,
            now=now,
            action=AuditAction.ASSIGNMENT_REASSIGNED,
        )
        notification_send(
            user=old_reviewer,
            kind=NotificationKind.ASSIGNMENT_ENDED,
            context={"credential": _definition(attempt).title, "how": "reassigned", "reason": text},
            url=links.reviewer_queue_path(),
        )
        if target is not None:
            seat = Seat.objects.get(pk=locked.seat_id)
            replacement: Assignment | None = _assign(
                seat=seat, profile=target, attempt=attempt, policy=_definition(attempt).review_policy, now=now, by=admin
            )
        else:
            replacement = _refill(attempt, locked.seat_id, now=now)
        _fill_waiting_after_commit()
    assignment.state = locked.state
    return replacement


@dataclass(frozen=True)
class TickReport:
    reminded: int
    overdue: int
    expired: int


def reviews_tick(*, now: datetime | None = None) -> TickReport:
    """Deadlines: remind before the due date (once), mark overdue at it (once; the reviewer and the admins
    are told), and after the grace period end the assignment as expired and give the seat to someone
    else. Each step claims its row with a conditional UPDATE, so two ticks running at once act once."""
    now = now or timezone.now()
    reminded = overdue = expired = 0
    due_soon = Assignment.objects.filter(
        state=AssignmentState.OPEN, reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now
    ).values_list("pk", flat=True)
    for pk in list(due_soon):
        with transaction.atomic():
            if Assignment.objects.filter(pk=pk, state=AssignmentState.OPEN, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                item = Assignment.objects.select_related("reviewer", "attempt__version").get(pk=pk)
                notification_send(
                    user=item.reviewer,
                    kind=NotificationKind.REVIEW_REMINDER,
                    context={"credential": item.attempt.version.spec.title, "due_on": _date(item.due_at)},
                    url=links.assignment_path(pk),
                )
                reminded += 1
    late = Assignment.objects.filter(state=AssignmentState.OPEN, overdue_at__isnull=True, due_at__lte=now)
    for pk in list(late.values_list("pk", flat=True)):
        with transaction.atomic():
            if Assignment.objects.filter(pk=pk, state=AssignmentState.OPEN, overdue_at__isnull=True).update(
                overdue_at=now
            ):
                item = Assignment.objects.select_related("reviewer", "attempt__version__credential").get(pk=pk)
                definition = item.attempt.version.spec
                context = {
                    "credential": definition.title,
                    "due_on": _date(item.due_at),
                    "reassign_on": _date(item.expires_at),
                }
                notification_send(
                    user=item.reviewer,
                    kind=NotificationKind.REVIEW_OVERDUE,
                    context=context,
                    url=links.assignment_path(pk),
                )
                notification_send_many(
                    users=_issuer_admins(item.attempt.version.credential.issuer_id),
                    kind=NotificationKind.REVIEW_OVERDUE_ADMIN,
                    context={
                        **context,
                        "assignment": pk,
                        "attempt_ref": f"{item.attempt.submission_id}-{item.attempt.number}",
                    },
                    url=links.pipeline_path(),
                )
                overdue += 1
    lapsed = Assignment.objects.filter(state=AssignmentState.OPEN, expires_at__lte=now).values_list("pk", flat=True)
    for pk in list(lapsed):
        with transaction.atomic():
            attempt, locked = _lock_assignment(Assignment.objects.select_related("attempt").get(pk=pk))
            if locked.state != AssignmentState.OPEN or locked.expires_at > now:
                continue  # another tick, a submit or a decline got there first
            grace = _definition(attempt).review_policy.grace_days
            _end(
                assignment=locked,
                state=AssignmentState.EXPIRED,
                actor=None,
                reason=f"not submitted within {grace} day(s) after the due date",
                now=now,
                action=AuditAction.ASSIGNMENT_EXPIRED,
            )
            notification_send(
                user=locked.reviewer,
                kind=NotificationKind.ASSIGNMENT_ENDED,
                context={"credential": _definition(attempt).title, "how": "expired", "reason": locked.end_reason},
                url=links.reviewer_queue_path(),
            )
            _refill(attempt, locked.seat_id, now=now)
            _fill_waiting_after_commit()
            expired += 1
    return TickReport(reminded=reminded, overdue=overdue, expired=expired)


# ----- scoring --------------------------------------------------------------------------------------------


def _clean_text(value: Any, field: str, errors: list[FieldError]) -> str | None:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(FieldError(field, "must be text"))
        return None
    text = "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()
    if len(text) > MAX_COMMENT_CHARS:
        errors.append(FieldError(field, f"is {len(text)} characters long; keep it under {MAX_COMMENT_CHARS}"))
        return None
    return text


def _open_assignment(assignment: Assignment, reviewer: User) -> Assignment:
    if assignment.reviewer_id != reviewer.pk:
        raise NotAllowed("only the assigned reviewer can score this attempt")
    if assignment.state != AssignmentState.OPEN:
        raise InvalidState(
            f"this assignment is {assignment.get_state_display().lower()}; its scores can no longer change"
        )
    return assignment


def review_save(*, assignment: Assignment, reviewer: User, scores: Mapping[str, Any]) -> Review:
    """Autosave: merge the criteria sent into the reviewer's draft review; anything not sent is kept.

    `scores` maps criterion ids of the attempt's frozen rubric to {"level", "reasoning", "suggestion"}
    (any of them; a null or empty level clears it). Level ids are checked now; whether the comments are
    complete is checked on submit, so a half-written comment is never refused or lost."""
    rubric = _definition(assignment.attempt).rubric
    criteria = {c.id for c in rubric.criteria}
    level_ids = [level.id for level in rubric.levels]
    errors: list[FieldError] = []
    cleaned: dict[str, dict[str, str]] = {}
    if not isinstance(scores, Mapping):
        raise InvalidInput([FieldError("scores", "send an object of criterion id -> {level, reasoning, suggestion}")])
    for cid, raw in scores.items():
        where = f"scores.{cid}"
        if cid not in criteria:
            errors.append(
                FieldError(where, f"is not a criterion of this rubric; the criteria are {', '.join(criteria)}")
            )
            continue
        if not isinstance(raw, Mapping):
            errors.append(FieldError(where, "send an object with level, reasoning and suggestion"))
            continue
        unknown = [key for key in raw if key not in {"level", "reasoning", "suggestion"}]
        errors += [
            FieldError(f"{where}.{key}", "is not a score field; send level, reasoning or suggestion") for key in unknown
        ]
        entry: dict[str, str] = {}
        if "level" in raw:
            level = raw["level"]
            if level in (None, ""):
                entry["level"] = ""
            elif not isinstance(level, str) or level not in level_ids:
                errors.append(
                    FieldError(
                        f"{where}.level", f"{level!r} is not a level of this rubric; use one of {', '.join(level_ids)}"
                    )
                )
            else:
                entry["level"] = level
        for key in ("reasoning", "suggestion"):
            if key in raw:
                text = _clean_text(raw[key], f"{where}.{key}", errors)
                if text is not None:
                    entry[key] = text
        cleaned[cid] = entry
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        # Autosaves of one review queue on its assignment row; nothing else is locked, so scoring never
        # waits on the attempt (lock step 3 alone is a prefix-free subset of the order).
        locked = (
            Assignment.objects.select_for_update(of=("self",)).select_related("attempt__version").get(pk=assignment.pk)
        )
        _open_assignment(locked, reviewer)
        review, _ = Review.objects.get_or_create(
            assignment=locked,
            defaults={"attempt_id": locked.attempt_id, "reviewer": reviewer, "created_at": now, "updated_at": now},
        )
        existing = {s.criterion: s for s in review.scores.all()}
        for cid, entry in cleaned.items():
            score = existing.get(cid) or Score(review=review, criterion=cid, updated_at=now)
            for key, value in entry.items():
                setattr(score, key, value)
            score.updated_at = now
            score.save()
        review.updated_at = now
        review.save(update_fields=["updated_at"])
    return review


def review_problems(*, review: Review | None, assignment: Assignment) -> list[FieldError]:
    """What stands between this review and submitting it (empty: it can be submitted)."""
    rubric = _definition(assignment.attempt).rubric
    passing = set(rubric.passing_levels())
    labels = {level.id: level.label for level in rubric.levels}
    passing_label = labels[rubric.passing_level]
    scores = {s.criterion: s for s in review.scores.all()} if review is not None else {}
    problems = []
    for criterion in rubric.criteria:
        score = scores.get(criterion.id)
        if score is None or not score.level:
            problems.append(FieldError(f"scores.{criterion.id}.level", f"choose a level for {criterion.title}"))
            continue
        if score.level in passing:
            continue
        for key, what in (("reasoning", "explain your reasoning"), ("suggestion", "suggest how to improve it")):
            if _words(getattr(score, key)) < MIN_COMMENT_WORDS:
                problems.append(
                    FieldError(
                        f"scores.{criterion.id}.{key}",
                        f"{criterion.title} is rated {labels[score.level]}, below {passing_label}: {what} "
                        f"in at least {MIN_COMMENT_WORDS} words",
                    )
                )
    return problems


def review_submit(*, assignment: Assignment, reviewer: User, scores: Mapping[str, Any] | None = None) -> Review:
    """Submit the review (final). `scores`, when sent, are saved first (as by review_save, so they are kept
    even if the submit is refused). Refused with every missing level and comment named. The transaction
    that records the last required review makes the decision (decision_make)."""
    if scores:
        review_save(assignment=assignment, reviewer=reviewer, scores=scores)
    now = timezone.now()
    with transaction.atomic():
        attempt, locked = _lock_assignment(assignment)
        _open_assignment(locked, reviewer)
        review = Review.objects.filter(assignment=locked).prefetch_related("scores").first()
        problems = review_problems(review=review, assignment=locked)
        if problems:
            raise InvalidInput(
                problems,
                message=f"{len(problems)} thing(s) to complete before submitting: "
                + "; ".join(p.message for p in problems),
            )
        assert review is not None  # no problems means every criterion has a score
        review.state = ReviewState.SUBMITTED
        review.submitted_at = now
        review.updated_at = now
        review.save(update_fields=["state", "submitted_at", "updated_at"])
        locked.state = AssignmentState.SUBMITTED
        locked.ended_at = now
        locked.save(update_fields=["state", "ended_at"])
        _audit(
            action=AuditAction.REVIEW_SUBMITTED,
            subject=locked,
            actor=reviewer,
            old=AssignmentState.OPEN,
            new=AssignmentState.SUBMITTED,
            data={"attempt": attempt.pk, "review": review.pk},
            at=now,
        )
        decision_make(attempt=attempt, now=now)
        _fill_waiting_after_commit()  # the reviewer has capacity again
    assignment.state = locked.state
    return review


# ----- decision ---------------------------------------------------------------------------------------------


def decision_inputs(*, attempt: Attempt) -> tuple[list[policy.ReviewInput], list[dict[str, Any]]]:
    """The submitted reviews in seat order, as the policy takes them and as the decision stores them."""
    reviews = (
        Review.objects.filter(attempt=attempt, state=ReviewState.SUBMITTED, assignment__state=AssignmentState.SUBMITTED)
        .select_related("assignment__seat")
        .prefetch_related("scores")
        .order_by("assignment__seat__position")
    )
    inputs, snapshot = [], []
    for review in reviews:
        seat = review.assignment.seat
        scores = {s.criterion: s.level for s in review.scores.all()}
        role: policy.Role = "adjudicator" if seat.role == SeatRole.ADJUDICATOR else "panel"
        inputs.append(policy.ReviewInput(scores=scores, role=role, seat_kind=seat.kind))
        snapshot.append(
            {
                "seat": seat.position,
                "role": seat.role,
                "kind": seat.kind,
                "review": review.pk,
                "reviewer": review.reviewer_id,
                "scores": scores,
                "comments": {
                    s.criterion: {"reasoning": s.reasoning, "suggestion": s.suggestion} for s in review.scores.all()
                },
            }
        )
    return inputs, snapshot


def decision_make(*, attempt: Attempt, now: datetime | None = None) -> Decision | None:
    """Decide the attempt if every required review is in; otherwise nothing (None).

    Runs in the transaction that records a review. The attempt row is locked (after its submission, the
    lock order) and the submitted reviews are counted again inside the lock, so of two last reviews
    submitted at the same moment the second one to get the lock sees both and decides, and the first
    sees only its own and does not: the decision is made exactly once (the one-to-one on attempt backs
    this up). When the assessors of an adjudicated policy disagree, the adjudication seat is added and
    filled instead; the decision then waits for the lead's review."""
    now = now or timezone.now()
    with transaction.atomic():
        _, locked = _lock_attempt(attempt)
        existing = Decision.objects.filter(attempt=locked).first()
        if existing is not None or locked.status != AttemptStatus.IN_REVIEW:
            return existing
        definition = _definition(locked)
        inputs, snapshot = decision_inputs(attempt=locked)
        result = policy.decide(definition.review_policy, definition.rubric, inputs)
        if result.outcome == "incomplete":
            return None
        if result.outcome == "needs_adjudication":
            if not locked.review_seats.filter(role=SeatRole.ADJUDICATOR).exists():
                adjudication = definition.review_policy.adjudication
                assert adjudication is not None  # the schema requires it for this pass rule
                seats = _seats_create(locked, [adjudication.seat], SeatRole.ADJUDICATOR, now)
                _audit(
                    action=AuditAction.ADJUDICATION_REQUESTED,
                    subject=locked,
                    actor=None,
                    new="needs_adjudication",
                    data={"disputed": list(result.disputed), "reasons": list(result.reasons)},
                    at=now,
                )
                _seats_fill(locked, seats, now=now)
                _after_fill(locked, None, now=now)
            return None
        decision = Decision.objects.create(
            attempt=locked,
            outcome=result.outcome,
            original_outcome=result.outcome,
            results=result.as_dict(),
            inputs=snapshot,
            version=locked.version,
            policy_hash=content_hash(locked.version.definition["review_policy"]),
            rubric_hash=rubric_hash(locked.version.definition),
            decided_at=now,
        )
        _audit(
            action=AuditAction.DECISION_MADE,
            subject=decision,
            actor=None,
            new=result.outcome,
            data={"attempt": locked.pk, "reasons": list(result.reasons)},
            at=now,
        )
        kind = EventKind.EARNED if result.outcome == DecisionOutcome.EARNED else EventKind.NOT_YET_EARNED
        attempt_transition(attempt=locked, actor=None, kind=kind, data={"decision": decision.pk})
        attempt.status, attempt.status_changed_at = locked.status, locked.status_changed_at
        # Seats still waiting (a policy needing no adjudication never opens one) are no longer needed.
        locked.review_seats.filter(closed_at__isnull=True).update(closed_at=now)
        _notify_decided(locked, decision)
        if decision.outcome == DecisionOutcome.EARNED:
            _badge_issue_on_commit(locked)
    return decision


def _badge_issue_on_commit(attempt: Attempt) -> None:
    # Imported here: awards builds on submissions and reviews, not the other way round.
    from awards.tasks import badge_issue_on_commit

    badge_issue_on_commit(attempt=attempt)


def _badge_revoke(attempt: Attempt, admin: User, reason: str) -> None:
    from awards.models import AwardedCredential
    from awards.services import credential_revoke

    awarded = AwardedCredential.objects.filter(attempt=attempt, revoked_at__isnull=True).first()
    if awarded is not None:
        credential_revoke(admin=admin, credential=awarded, reason=f"The decision was overridden: {reason}")


def _notify_decided(attempt: Attempt, decision: Decision) -> None:
    definition = _definition(attempt)
    status = resubmission_status(
        submission=Submission.objects.select_related("credential__current_version").get(pk=attempt.submission_id)
    )
    notification_send(
        user=attempt.submission.educator,
        kind=NotificationKind.ATTEMPT_DECIDED,
        context={
            "credential": definition.title,
            "attempt_number": attempt.number,
            "earned": decision.outcome == DecisionOutcome.EARNED,
            "outcome": DecisionOutcome(decision.outcome).label,
            "attempts_left": status.remaining,
        },
        url=links.attempt_path(attempt),
    )


def decision_override(*, admin: User, decision: Decision, outcome: str, reason: str) -> Decision:
    """An issuer admin replaces the outcome of a decision, with a reason; audited, and the educator is told.
    Only the latest attempt's decision can change (a later attempt has superseded an earlier one)."""
    text = _require_reason(reason, what="say why the decision is overridden")
    if outcome not in DecisionOutcome.values:
        raise InvalidInput([FieldError("outcome", f"choose one of {', '.join(DecisionOutcome.values)}")])
    now = timezone.now()
    with transaction.atomic():
        submission, attempt = _lock_attempt(decision.attempt)
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if not is_issuer_admin(user=admin, issuer_id=attempt.version.credential.issuer_id):
            raise NotAllowed("only an admin of this credential's issuer can override its decisions")
        if locked.outcome == outcome:
            raise InvalidInput(
                [FieldError("outcome", f"the decision is already {DecisionOutcome(outcome).label.lower()}")]
            )
        reopened_elsewhere = (
            outcome == DecisionOutcome.NOT_YET_EARNED
            and not submission.is_open
            and Submission.objects.filter(
                educator_id=submission.educator_id, credential_id=submission.credential_id, is_open=True
            ).exists()
        )
        if reopened_elsewhere:
            raise InvalidState(
                "the educator has started a new submission for this credential since; this decision can no "
                "longer be reversed"
            )
        old = locked.outcome
        kind = EventKind.EARNED if outcome == DecisionOutcome.EARNED else EventKind.NOT_YET_EARNED
        attempt_transition(
            attempt=attempt,
            actor=admin,
            kind=kind,
            data={"decision": locked.pk, "override": True, "reason": text},
            override=True,
        )
        locked.outcome = outcome
        locked.overridden_at = now
        locked.overridden_by = admin
        locked.override_reason = text
        locked.save(update_fields=["outcome", "overridden_at", "overridden_by", "override_reason"])
        if outcome == DecisionOutcome.EARNED:
            _badge_issue_on_commit(attempt)
        elif old == DecisionOutcome.EARNED:
            # A credential must not stay valid for a decision that no longer stands.
            _badge_revoke(attempt, admin, text)
        _audit(
            action=AuditAction.DECISION_OVERRIDDEN,
            subject=locked,
            actor=admin,
            old=old,
            new=outcome,
            data={"attempt": attempt.pk, "reason": text},
            at=now,
        )
        notification_send(
            user=submission.educator,
            kind=NotificationKind.DECISION_OVERRIDDEN,
            context={
                "credential": _definition(attempt).title,
                "attempt_number": attempt.number,
                "outcome": DecisionOutcome(outcome).label,
                "earned": outcome == DecisionOutcome.EARNED,
                "reason": text,
            },
            url=links.attempt_path(attempt),
        )
    decision.refresh_from_db()
    return decision


# ----- attempts: limit, extra attempts, resubmission, returned as incomplete -------------------------------

# Attempts that do not count against the limit (nobody judged them); the same as submissions' rule.
UNJUDGED = (AttemptStatus.WITHDRAWN, AttemptStatus.RETURNED_INCOMPLETE)


def attempts_allowed(*, submission: Submission) -> int:
    """The policy's attempt limit plus every extra attempt an admin granted."""
    return (
        submission.version.spec.review_policy.attempt_limit + AttemptGrant.objects.filter(submission=submission).count()
    )


@dataclass(frozen=True)
class ResubmissionStatus:
    used: int
    allowed: int
    can_resubmit: bool
    message: str
    coaching_url: str

    @property
    def remaining(self) -> int:
        return max(self.allowed - self.used, 0)


def resubmission_status(*, submission: Submission) -> ResubmissionStatus:
    """How many judged attempts are used and allowed, and what the educator may do next."""
    used = submission.attempts.exclude(status__in=UNJUDGED).count()
    allowed = attempts_allowed(submission=submission)
    coaching = links.coaching_path(submission.credential)
    if submission.status == Status.EARNED:
        return ResubmissionStatus(used, allowed, False, "The credential is earned: nothing more to submit.", coaching)
    if used >= allowed:
        return ResubmissionStatus(
            used,
            allowed,
            False,
            f"You have used all {allowed} attempts this credential allows. The resources on the credential's "
            "page can help you build the practice it asks for; the issuer can grant another attempt.",
            coaching,
        )
    left = allowed - used
    return ResubmissionStatus(
        used,
        allowed,
        submission.is_editable,
        f"You can revise your draft and submit again: {left} attempt{'s' if left != 1 else ''} left.",
        coaching,
    )


def attempt_resubmit(*, submission: Submission, actor: User) -> Attempt:
    """Submit the revised draft as the next attempt after a not-yet-earned decision.

    The draft already holds the last attempt's responses and files (a decision never clears it), so the
    educator starts from what they sent and changes what the feedback asks for. Past the attempt limit
    it is refused with the pointer to coaching."""
    if submission.status != Status.NOT_YET_EARNED:
        raise InvalidState("only a submission that was not yet earned can be resubmitted; submit it as usual")
    status = resubmission_status(submission=submission)
    if not status.can_resubmit:
        raise InvalidState(status.message)
    return attempt_submit(submission=submission, actor=actor)


def attempt_grant_extra(*, admin: User, submission: Submission, reason: str) -> AttemptGrant:
    """An issuer admin allows one attempt beyond the policy's limit, with a reason (audited; the educator
    is told)."""
    text = _require_reason(reason, what="say why another attempt is granted")
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("credential", "educator")
            .get(pk=submission.pk)
        )
        if not is_issuer_admin(user=admin, issuer_id=locked.credential.issuer_id):
            raise NotAllowed("only an admin of this credential's issuer can grant another attempt")
        if locked.status == Status.EARNED:
            raise InvalidState("this submission earned the credential; it needs no further attempt")
        before = attempts_allowed(submission=locked)
        grant = AttemptGrant.objects.create(submission=locked, granted_by=admin, reason=text, granted_at=now)
        _audit(
            action=AuditAction.EXTRA_ATTEMPT_GRANTED,
            subject=locked,
            actor=admin,
            old=str(before),
            new=str(before + 1),
            data={"reason": text, "grant": grant.pk},
            at=now,
        )
        notification_send(
            user=locked.educator,
            kind=NotificationKind.EXTRA_ATTEMPT_GRANTED,
            context={"credential": locked.credential.title, "allowed": before + 1},
            url=f"/submissions/{locked.pk}/",
        )
    return grant


def attempt_return_incomplete(*, admin: User, attempt: Attempt, reason: str) -> Attempt:
    """An issuer admin sends an attempt back as incomplete (an unreadable file, say): its open assignments are
    cancelled, its seats closed, and the educator is told why. It does not count against the limit."""
    text = _require_reason(reason, what="tell the educator what is missing")
    now = timezone.now()
    with transaction.atomic():
        submission, locked = _lock_attempt(attempt)
        if not is_issuer_admin(user=admin, issuer_id=locked.version.credential.issuer_id):
            raise NotAllowed("only an admin of this credential's issuer can return an attempt")
        for assignment in (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("reviewer")
            .filter(attempt=locked, state=AssignmentState.OPEN)
        ):
            _end(
                assignment=assignment,
                state=AssignmentState.CANCELLED,
                actor=admin,
                reason="the attempt was returned to the educator as incomplete",
                now=now,
                action=AuditAction.ASSIGNMENT_CANCELLED,
            )
            notification_send(
                user=assignment.reviewer,
                kind=NotificationKind.ASSIGNMENT_ENDED,
                context={"credential": _definition(locked).title, "how": "cancelled", "reason": assignment.end_reason},
                url=links.reviewer_queue_path(),
            )
        locked.review_seats.filter(closed_at__isnull=True).update(closed_at=now)
        attempt_transition(attempt=locked, actor=admin, kind=EventKind.RETURNED_INCOMPLETE, data={"reason": text})
        _audit(
            action=AuditAction.ATTEMPT_RETURNED_INCOMPLETE,
            subject=locked,
            actor=admin,
            old=attempt.status,
            new=locked.status,
            data={"reason": text},
            at=now,
        )
        notification_send(
            user=submission.educator,
            kind=NotificationKind.ATTEMPT_RETURNED_INCOMPLETE,
            context={"credential": _definition(locked).title, "attempt_number": locked.number, "reason": text},
            url=links.attempt_path(locked),
        )
        _fill_waiting_after_commit()
    attempt.status, attempt.status_changed_at = locked.status, locked.status_changed_at
    return attempt
