"""Every change to a submission: start, save the draft, attach and remove evidence, submit, withdraw, and
the status transitions reviews will drive.

Locking: the Submission row is the mutex for everything that changes a draft or its attempts. Every
service below takes `select_for_update()` on it first (then on the Draft where it writes one), always
in that order, so concurrent saves, uploads and submits of one draft run one after another and can
never deadlock each other. On SQLite, which has no row locks, the settings open every transaction
with BEGIN IMMEDIATE, which serialises writers the same way.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from catalog.models import Credential
from catalog.schema import FILE_TYPES, ChoiceField, CredentialDefinition, FileField, TextField
from submissions import evidence as sniffing
from submissions.checks import DraftState, Finding, findings_for, is_blocked
from submissions.copies import copies_record
from submissions.errors import (
    Conflict,
    EmailNotConfirmed,
    FieldConflict,
    FieldError,
    FileTooLarge,
    InvalidInput,
    InvalidState,
    NotAllowed,
    NotReady,
)
from submissions.models import (
    EDITABLE_STATUSES,
    Attempt,
    AttemptEvidence,
    AttemptStatus,
    Draft,
    Event,
    EventKind,
    Evidence,
    Status,
    Submission,
)
from submissions.values import FieldErrors, clean_change, clean_self_evaluation, is_filled

SELF_EVALUATION_KEY = "self_evaluation:"  # prefix of self-evaluation keys in Draft.field_revisions


def _event(
    *,
    submission: Submission,
    kind: str,
    actor: User | None,
    new_status: str,
    attempt: Attempt | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    event = Event.objects.create(
        submission=submission,
        attempt=attempt,
        kind=kind,
        actor=actor,
        old_status=submission.status,
        new_status=new_status,
        data=data or {},
    )
    submission.status = new_status
    submission.updated_at = event.at
    return event


def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",)).select_related("version", "credential").get(pk=submission.pk)
    )


def _require_owner(submission: Submission, actor: User) -> None:
    if submission.educator_id != actor.pk:
        raise NotAllowed("only the educator who started this submission may change it")


def _require_editable(submission: Submission) -> None:
    if submission.status not in EDITABLE_STATUSES:
        label = Status(submission.status).label.lower()
        raise InvalidState(
            f"this submission is {label}, so its draft cannot change now; you can edit it again if it is "
            "returned to you or you withdraw it before review starts"
        )


# ----- start --------------------------------------------------------------------------------------


def submission_start(*, educator: User, credential: Credential) -> tuple[Submission, bool]:
    """The educator's open submission for the credential, created (with its draft) when there is none.
    Returns (submission, created)."""
    existing = Submission.objects.filter(educator=educator, credential=credential, is_open=True).first()
    if existing is not None:
        return existing, False
    if not credential.is_published or credential.current_version_id is None:
        raise InvalidState("this credential is not open for submissions")
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                educator=educator, credential=credential, version_id=credential.current_version_id
            )
            Draft.objects.create(submission=submission, updated_by=educator)
            Event.objects.create(
                submission=submission,
                kind=EventKind.STARTED,
                actor=educator,
                new_status=Status.STARTED,
                data={"version": submission.version_id},
            )
    except IntegrityError:
        # Two starts raced (a double click); the partial unique constraint let one through: use it.
        return Submission.objects.get(educator=educator, credential=credential, is_open=True), False
    return submission, True


# ----- draft --------------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    """Equal, ignoring the ids of list entries (a client re-sending entries without ids changes nothing)."""

    def strip(value: Any) -> Any:
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "id"}
        return value

    return bool(strip(a) == strip(b))


def _set_value(responses: dict[str, dict[str, Any]], ref: str, value: Any) -> None:
    part_id, _, field_id = ref.partition(".")
    part = responses.setdefault(part_id, {})
    if value is None:
        part.pop(field_id, None)
        if not part:
            responses.pop(part_id, None)
    else:
        part[field_id] = value


def draft_save(
    *,
    submission: Submission,
    actor: User,
    base_revision: int,
    changes: Mapping[str, Any] | None = None,
    self_evaluation: Mapping[str, Any] | None = None,
) -> Draft:
    """Merge field-level changes into the draft.

    `changes` maps field references ("part.field") to new values (None clears; a list field is sent
    whole). `self_evaluation` maps rubric criterion ids to {"level", "justification"} (None clears).
    `base_revision` is the draft revision the client's values were based on: a field someone else
    changed after it, to a different value, is a conflict and nothing is saved; changes to other
    fields merge. Every value is checked first, and a bad one refuses the whole save, so the stored
    draft is never half-updated. A text longer than its max_words is saved (work is never lost) and
    flagged by the completeness check instead."""
    changes = dict(changes or {})
    ratings = dict(self_evaluation or {})
    definition = submission.version.spec
    errors: list[FieldError] = []
    if not isinstance(base_revision, int) or isinstance(base_revision, bool) or base_revision < 0:
        errors.append(FieldError("base_revision", "send the revision number the draft was loaded at"))
    cleaned: dict[str, Any] = {}
    for ref, raw in changes.items():
        try:
            cleaned[ref] = clean_change(definition, ref, raw)
        except FieldErrors as problem:
            errors.extend(problem.errors)
    cleaned_ratings: dict[str, Any] = {}
    for criterion_id, raw in ratings.items():
        try:
            cleaned_ratings[criterion_id] = clean_self_evaluation(definition, criterion_id, raw)
        except FieldErrors as problem:
            errors.extend(problem.errors)
    if errors:
        raise InvalidInput(errors)

    with transaction.atomic():
        locked = _lock(submission)
        _require_owner(locked, actor)
        _require_editable(locked)
        draft = Draft.objects.select_for_update().get(pk=locked.pk)
        if base_revision > draft.revision:
            raise InvalidInput(
                [
                    FieldError(
                        "base_revision",
                        f"revision {base_revision} does not exist yet; the draft is at {draft.revision}: reload it",
                    )
                ]
            )
        conflicts: list[FieldConflict] = []
        for ref, new in cleaned.items():
            current = draft.value(ref)
            if draft.field_revisions.get(ref, 0) > base_revision and not _same(current, new):
                conflicts.append(FieldConflict("responses", ref, yours=new, theirs=current))
        for criterion_id, new in cleaned_ratings.items():
            current = draft.self_evaluation.get(criterion_id)
            key = SELF_EVALUATION_KEY + criterion_id
            if draft.field_revisions.get(key, 0) > base_revision and not _same(current, new):
                conflicts.append(FieldConflict("self_evaluation", criterion_id, yours=new, theirs=current))
        if conflicts:
            raise Conflict(revision=draft.revision, conflicts=conflicts)

        changed = [ref for ref, new in cleaned.items() if not _same(draft.value(ref), new)]
        changed_ratings = [c for c, new in cleaned_ratings.items() if not _same(draft.self_evaluation.get(c), new)]
        if not changed and not changed_ratings:
            return draft
        now = timezone.now()
        revision = draft.revision + 1
        for ref in changed:
            _set_value(draft.responses, ref, cleaned[ref])
            draft.field_revisions[ref] = revision
            spec = definition.field_at(ref)
            if isinstance(spec, TextField) and is_filled(cleaned[ref]) and ref not in draft.first_written_at:
                draft.first_written_at[ref] = now.isoformat()
        for criterion_id in changed_ratings:
            if cleaned_ratings[criterion_id] is None:
                draft.self_evaluation.pop(criterion_id, None)
            else:
                draft.self_evaluation[criterion_id] = cleaned_ratings[criterion_id]
            draft.field_revisions[SELF_EVALUATION_KEY + criterion_id] = revision
        draft.revision = revision
        draft.updated_at = now
        draft.updated_by = actor
        draft.save()
        if locked.status == Status.STARTED:
            _event(submission=locked, kind=EventKind.SAVED, actor=actor, new_status=Status.IN_PROGRESS)
        locked.updated_at = now
        locked.save(update_fields=["status", "updated_at"])
    submission.status, submission.updated_at = locked.status, locked.updated_at
    return draft


# ----- evidence -----------------------------------------------------------------------------------


def _accepted_labels(spec: FileField) -> str:
    return ", ".join(FILE_TYPES[kind] for kind in spec.accept)


def _clean_name(name: str) -> str:
    base = PurePath((name or "").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF).strip()
    if len(cleaned) > 200:
        suffix = PurePath(cleaned).suffix[:20]
        cleaned = cleaned[: 200 - len(suffix)] + suffix
    return cleaned or "file"


def _file_kind(sniffed: sniffing.Sniffed, spec: FileField, name: str) -> str | None:
    """The FILE_TYPES kind this content counts as for this field, or None when the field takes none of it."""
    if sniffed.kind != "text":
        return sniffed.kind if sniffed.kind in spec.accept else None
    # Text content is equally valid as csv or txt; the name only picks which label it is filed under.
    text_kinds = [kind for kind in ("csv", "txt") if kind in spec.accept]
    if not text_kinds:
        return None
    if len(text_kinds) == 2:
        return "csv" if name.lower().endswith(".csv") else "txt"
    return text_kinds[0]


def evidence_add(*, submission: Submission, actor: User, field_ref: str, upload: File) -> Evidence:
    """Attach a file to a file field of the draft, after checking what it is by its content."""
    definition = submission.version.spec
    try:
        spec = definition.field_at(field_ref)
    except ValueError:
        raise InvalidInput([FieldError(field_ref, "there is no such field in this credential's form")]) from None
    if not isinstance(spec, FileField) or field_ref.count(".") != 1:
        raise InvalidInput([FieldError(field_ref, f"{spec.label} does not take files")])
    name = _clean_name(upload.name or "")
    limit = int(spec.max_size_mb * 1024 * 1024)
    size = upload.size or 0
    if size > limit:
        raise FileTooLarge(
            [
                FieldError(
                    field_ref,
                    f"{spec.label}: {name} is {size / 2**20:.1f} MB; the most this field takes is "
                    f"{spec.max_size_mb:g} MB per file",
                )
            ]
        )
    try:
        sniffed = sniffing.sniff(upload)
    except sniffing.Refused as refusal:
        raise InvalidInput(
            [
                FieldError(
                    field_ref,
                    f"{spec.label}: {name} was not accepted: {refusal.message}. "
                    f"This field accepts: {_accepted_labels(spec)}.",
                )
            ]
        ) from None
    kind = _file_kind(sniffed, spec, name)
    if kind is None:
        raise InvalidInput(
            [
                FieldError(
                    field_ref,
                    f"{spec.label}: {name} is {sniffed.description}, which this field does not "
                    f"accept. This field accepts: {_accepted_labels(spec)}.",
                )
            ]
        )
    content_type = {"csv": "text/csv; charset=utf-8"}.get(kind, sniffed.content_type)
    digest, size = _sha256(upload)
    # A first look without the lock spares storing a file that is bound to be refused...
    _require_owner(submission, actor)
    _require_room(submission, spec, field_ref)
    item = Evidence(
        field_ref=field_ref,
        original_name=name,
        detected_type=kind,
        detail=sniffed.detail,
        content_type=content_type,
        size=size,
        sha256=digest,
        uploaded_by=actor,
    )
    # ...and the file is written to storage before the lock is taken, so a slow upload to S3 never holds
    # up autosaves of the same draft.
    upload.seek(0)
    item.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            locked = _lock(submission)
            _require_editable(locked)
            # Counted again under the lock: two uploads racing for the last free place cannot both win it.
            _require_room(locked, spec, field_ref)
            item.submission = locked
            item.save()
            locked.updated_at = timezone.now()
            if locked.status == Status.STARTED:
                _event(submission=locked, kind=EventKind.SAVED, actor=actor, new_status=Status.IN_PROGRESS)
            locked.save(update_fields=["status", "updated_at"])
    except BaseException:
        item.file.delete(save=False)  # no row points at it
        raise
    return item


def _require_room(submission: Submission, spec: FileField, field_ref: str) -> None:
    _require_editable(submission)
    held = Evidence.objects.filter(submission=submission, field_ref=field_ref, in_draft=True).count()
    if held >= spec.max_files:
        raise InvalidInput(
            [
                FieldError(
                    field_ref,
                    f"{spec.label} already holds {held} file(s), the most it takes; remove one before adding another",
                )
            ]
        )


def _sha256(upload: File) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def evidence_remove(*, evidence: Evidence, actor: User) -> None:
    """Take a file off the draft. A file an attempt references stays stored (the attempt is frozen);
    any other is deleted, its file once the transaction has committed."""
    with transaction.atomic():
        locked = _lock(evidence.submission)
        _require_owner(locked, actor)
        _require_editable(locked)
        item = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if not item.in_draft:
            return
        if AttemptEvidence.objects.filter(evidence=item).exists():
            item.in_draft = False
            item.save(update_fields=["in_draft"])
        else:
            stored = item.file.name or ""
            storage = item.file.storage
            item.delete()
            transaction.on_commit(lambda: storage.delete(stored))
        locked.updated_at = timezone.now()
        locked.save(update_fields=["updated_at"])


# ----- completeness -------------------------------------------------------------------------------


def _draft_state(submission: Submission, draft: Draft) -> DraftState:
    counts: dict[str, int] = {}
    for ref in Evidence.objects.filter(submission=submission, in_draft=True).values_list("field_ref", flat=True):
        counts[ref] = counts.get(ref, 0) + 1
    return DraftState(
        responses=draft.responses,
        self_evaluation=draft.self_evaluation,
        evidence_counts=counts,
        first_written_at=draft.first_written_at,
    )


def completeness_check(*, submission: Submission) -> list[Finding]:
    """The findings for the draft as it is saved now (a read: it changes nothing)."""
    draft = Draft.objects.get(pk=submission.pk)
    return findings_for(submission.version.spec, _draft_state(submission, draft))


# ----- attempts -----------------------------------------------------------------------------------


def _grade_band(definition: CredentialDefinition, responses: dict[str, dict[str, Any]]) -> str:
    spec = definition.grade_band_field()
    if not isinstance(spec, ChoiceField):
        return ""
    for part in definition.parts:
        if spec in part.fields:
            value = responses.get(part.id, {}).get(spec.id)
            return value if isinstance(value, str) else ""
    return ""


# Attempts that do not count against review_policy.attempt_limit: nobody judged them.
_UNJUDGED = (AttemptStatus.WITHDRAWN, AttemptStatus.RETURNED_INCOMPLETE)


def attempt_submit(*, submission: Submission, actor: User) -> Attempt:
    """Freeze the draft into a new attempt, refused with the findings while any blocking one stands."""
    with transaction.atomic():
        # The lock makes a double submit (double click, two tabs) safe: the second call waits here, then
        # finds the status the first one wrote and is refused, so exactly one attempt is frozen.
        locked = _lock(submission)
        _require_owner(locked, actor)
        if actor.email_verified_at is None:
            raise EmailNotConfirmed(
                f"confirm your email address before you submit: open the link we sent to {actor.email}, or send "
                "a new one from your profile. Your draft is saved."
            )
        if locked.status not in EDITABLE_STATUSES:
            raise InvalidState(
                f"this submission is {Status(locked.status).label.lower()}; it cannot be submitted again now"
            )
        draft = Draft.objects.select_for_update().get(pk=locked.pk)
        definition = locked.version.spec
        files = list(Evidence.objects.filter(submission=locked, in_draft=True))
        findings = findings_for(definition, _draft_state(locked, draft))
        if is_blocked(findings):
            raise NotReady(findings)
        previous = locked.attempts.all()
        # Issue 4: the policy's limit plus any extra attempt an issuer admin granted (reviews.AttemptGrant).
        from reviews.services import attempts_allowed

        limit = attempts_allowed(submission=locked)
        if previous.exclude(status__in=_UNJUDGED).count() >= limit:
            raise InvalidState(
                f"all {limit} attempts this credential allows have been used; the resources on the credential's "
                "page can help, and the issuer can grant another attempt"
            )
        number = (previous.aggregate(last=Max("number"))["last"] or 0) + 1
        now = timezone.now()
        attempt = Attempt.objects.create(
            submission=locked,
            number=number,
            version=locked.version,
            responses=copy.deepcopy(draft.responses),
            self_evaluation=copy.deepcopy(draft.self_evaluation) if definition.self_evaluation.enabled else {},
            evidence_manifest=[item.manifest() for item in files],
            grade_band=_grade_band(definition, draft.responses),
            submitted_at=now,
            submitted_by=actor,
            status_changed_at=now,
        )
        AttemptEvidence.objects.bulk_create([AttemptEvidence(attempt=attempt, evidence=item) for item in files])
        first = number == 1
        _event(
            submission=locked,
            attempt=attempt,
            kind=EventKind.SUBMITTED if first else EventKind.RESUBMITTED,
            actor=actor,
            new_status=Status.SUBMITTED if first else Status.RESUBMITTED,
            data={
                "number": number,
                "version": locked.version.number,
                "content_hash": locked.version.content_hash,
                "advisory": [f.message for f in findings if f.severity == "advisory"],
            },
        )
        locked.save(update_fields=["status", "updated_at"])
        copies_record(attempt=attempt)
        # Issue 4: a complete attempt goes to its review panel in this same transaction (the educator is
        # told it arrived, seats are filled, and the attempt moves to in_review once a reviewer holds one).
        from reviews.services import attempt_review_start

        attempt_review_start(attempt=attempt)
        locked.refresh_from_db(fields=["status", "updated_at"])
    submission.status, submission.updated_at = locked.status, locked.updated_at
    return attempt


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[str]
    attempt_status: str
    submission_status: str


# What each event does to the attempt it concerns and to its submission. Issue 4's reviews drive
# in_review, returned_incomplete, not_yet_earned and earned through attempt_transition.
TRANSITIONS: dict[str, Transition] = {
    EventKind.IN_REVIEW: Transition(frozenset({AttemptStatus.SUBMITTED}), AttemptStatus.IN_REVIEW, Status.IN_REVIEW),
    EventKind.RETURNED_INCOMPLETE: Transition(
        frozenset({AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW}),
        AttemptStatus.RETURNED_INCOMPLETE,
        Status.RETURNED_INCOMPLETE,
    ),
    EventKind.NOT_YET_EARNED: Transition(
        frozenset({AttemptStatus.IN_REVIEW}), AttemptStatus.NOT_YET_EARNED, Status.NOT_YET_EARNED
    ),
    EventKind.EARNED: Transition(frozenset({AttemptStatus.IN_REVIEW}), AttemptStatus.EARNED, Status.EARNED),
    EventKind.WITHDRAWN: Transition(frozenset({AttemptStatus.SUBMITTED}), AttemptStatus.WITHDRAWN, Status.WITHDRAWN),
}

# An issuer admin's override of a decision (reviews.services.decision_override) moves a decided attempt to
# the other outcome. The event kinds are the outcomes' own, so status_replay needs nothing new.
OVERRIDE_TRANSITIONS: dict[str, Transition] = {
    EventKind.EARNED: Transition(frozenset({AttemptStatus.NOT_YET_EARNED}), AttemptStatus.EARNED, Status.EARNED),
    EventKind.NOT_YET_EARNED: Transition(
        frozenset({AttemptStatus.EARNED}), AttemptStatus.NOT_YET_EARNED, Status.NOT_YET_EARNED
    ),
}


def attempt_transition(
    *, attempt: Attempt, actor: User | None, kind: str, data: dict[str, Any] | None = None, override: bool = False
) -> Attempt:
    """Move the latest attempt of a submission along (see TRANSITIONS, or OVERRIDE_TRANSITIONS when
    `override`), writing the event that says so. Refused when the attempt is not where that move starts from."""
    table = OVERRIDE_TRANSITIONS if override else TRANSITIONS
    if kind not in table:
        raise InvalidState(f"{kind!r} is not a status change an attempt can make")
    rule = table[kind]
    with transaction.atomic():
        locked = _lock(attempt.submission)
        current = Attempt.objects.select_for_update().get(pk=attempt.pk)
        latest = locked.attempts.aggregate(last=Max("number"))["last"]
        if current.number != latest or current.status not in rule.allowed_from:
            raise InvalidState(
                f"attempt {current.number} is {AttemptStatus(current.status).label.lower()}; it cannot become "
                f"{AttemptStatus(rule.attempt_status).label.lower()} from there"
            )
        now = timezone.now()
        _event(
            submission=locked,
            attempt=current,
            kind=kind,
            actor=actor,
            new_status=rule.submission_status,
            data={"attempt_status": [current.status, rule.attempt_status], **(data or {})},
        )
        current.status = rule.attempt_status
        current.status_changed_at = now
        current.save(update_fields=["status", "status_changed_at"])
        if rule.submission_status == Status.EARNED:
            locked.is_open = False
        elif override:
            locked.is_open = True  # an earned decision overridden: the submission is open for a resubmission again
        locked.save(update_fields=["status", "updated_at", "is_open"])
    attempt.status, attempt.status_changed_at = current.status, current.status_changed_at
    return attempt


def attempt_withdraw(*, attempt: Attempt, actor: User) -> Attempt:
    """The educator takes back a submitted attempt; only possible before review starts."""
    _require_owner(attempt.submission, actor)
    if attempt.status != AttemptStatus.SUBMITTED:
        raise InvalidState(
            f"attempt {attempt.number} is {AttemptStatus(attempt.status).label.lower()}; an attempt can only be "
            "withdrawn before its review starts"
        )
    return attempt_transition(attempt=attempt, actor=actor, kind=EventKind.WITHDRAWN)


# ----- history ------------------------------------------------------------------------------------


def status_replay(events: list[Event]) -> tuple[str, dict[int, str]]:
    """The submission status and each attempt's status as the events say they are: the truth that the
    status columns cache. Events must be in order (Event's default ordering)."""
    submission_status = ""
    attempts: dict[int, str] = {}
    for event in events:
        submission_status = event.new_status
        if event.attempt_id is None:
            continue
        if event.kind in (EventKind.SUBMITTED, EventKind.RESUBMITTED):
            attempts[event.attempt_id] = AttemptStatus.SUBMITTED
        elif event.kind in TRANSITIONS:
            attempts[event.attempt_id] = TRANSITIONS[event.kind].attempt_status
    return submission_status, attempts
