"""Starting a submission and saving its draft: field-level merges, and conflicts between two tabs.

One submission per credential at a time. The rule, which `submission_start` applies for the pages and the
API alike (the partial unique constraint `submission_one_open` holds the first half in the database too):

- While the educator has an open submission for the credential, a second start is refused (StartRefused,
  409) naming the open one: they continue it. A submission stays open until it is earned, so this covers a
  draft, a submitted or in-review attempt, and the two ways work closes without earning: a withdrawn
  attempt and a "not yet earned" decision both leave the same draft editable, to revise and submit again.
  That includes "not yet earned" with the attempt limit used up: starting afresh would reset the limit
  the definition sets, so it is refused too, and the issuer grants another attempt instead
  (reviews.services.attempts).
- Once earned (the submission is then closed), a start is refused, naming the earned submission so the
  page can link to the badge, unless the definition allows renewal (`renewal: {allowed: true, after_days:
  N}`) and N days have passed since it was earned. Then a new submission starts on the current version and
  the earned one stays as it was. Renewal is not allowed unless a definition says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Credential
from catalog.schema import CredentialDefinition, TextField
from core.compiled import CompiledModels, CompiledUpdate
from core.errors import Conflict, FieldConflict, FieldError, InvalidInput, InvalidState, NotFound
from submissions.errors import StartRefused
from submissions.models import EDITABLE_STATUSES, Attempt, AttemptStatus, Draft, EventKind, Status, Submission
from submissions.services._common import event_record, require_editable, require_owner
from submissions.services.writer_turn import sqlite_writer_turn
from submissions.values import clean_change, clean_self_evaluation, is_filled

SELF_EVALUATION_KEY = "self_evaluation:"  # prefix of self-evaluation keys in Draft.field_revisions


def _named(credential: Credential) -> str:
    return _("“%(title)s” by %(issuer)s") % {"title": credential.title, "issuer": credential.issuer.name}


def _day(value: date) -> str:
    return str(date_format(value, "DATE_FORMAT"))


def _open_refusal(credential: Credential, submission: Submission) -> StartRefused:
    if submission.status in EDITABLE_STATUSES:
        message = _(
            "You already have a submission in progress for %(credential)s: continue it (submission %(id)s) rather "
            "than start another."
        ) % {"credential": _named(credential), "id": submission.pk}
    else:
        message = _(
            "You already have a submission for %(credential)s that is %(status)s: follow it (submission %(id)s); "
            "another cannot start while it is open."
        ) % {"credential": _named(credential), "status": Status(submission.status).label.lower(), "id": submission.pk}
    return StartRefused(message, submission=submission, reason="open")


def submission_start_refusal(*, educator: User, credential: Credential) -> StartRefused | None:
    """Why the educator may not start a submission for the credential now (see the module's rule), or None
    when they may. The credential page asks this to choose its button; `submission_start` raises it."""
    current = Submission.objects.filter(educator=educator, credential=credential, is_open=True).first()
    if current is not None:
        return _open_refusal(credential, current)
    earned = (
        Attempt.objects.filter(
            submission__educator=educator, submission__credential=credential, status=AttemptStatus.EARNED
        )
        .select_related("submission")
        .order_by("-status_changed_at", "-id")
        .first()
    )
    if earned is None:
        return None
    renewal = credential.current_version.spec.renewal if credential.current_version else None
    earned_on = timezone.localdate(earned.status_changed_at)
    if renewal is None or not renewal.allowed:
        message = _(
            "You have already earned %(credential)s: view your badge from your dashboard. This credential is "
            "earned once; it offers no renewal."
        ) % {"credential": _named(credential)}
        return StartRefused(message, submission=earned.submission, reason="earned")
    renew_from = earned_on + timedelta(days=renewal.after_days)
    if timezone.localdate() >= renew_from:
        return None
    message = _(
        "You earned %(credential)s on %(earned)s; you can renew it from %(renew)s. Until then, view your badge "
        "from your dashboard."
    ) % {"credential": _named(credential), "earned": _day(earned_on), "renew": _day(renew_from)}
    return StartRefused(message, submission=earned.submission, reason="earned", renew_from=renew_from)


def submission_start(*, educator: User, credential: Credential) -> tuple[Submission, bool]:
    """Start the educator's submission (with its draft) for the credential. Refused with StartRefused while
    one is open, or once it is earned unless the definition allows renewal (see the module's rule).

    Returns (submission, True): the pair is kept from when a start could hand back the open submission,
    so that the many callers unpacking it need not change; the flag is always True now."""
    if not credential.is_published or credential.current_version_id is None:
        raise InvalidState(_("this credential is not open for submissions"))
    refusal = submission_start_refusal(educator=educator, credential=credential)
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                educator=educator, credential=credential, version_id=credential.current_version_id
            )
            Draft.objects.create(submission=submission, updated_by=educator)
            event_record(
                submission=submission,
                kind=EventKind.STARTED,
                actor=educator,
                old_status="",
                new_status=Status.STARTED,
                data={"version": submission.version_id},
            )
    except IntegrityError:
        # Two starts raced (a double click); the partial unique constraint let one through: this is the second.
        existing = Submission.objects.get(educator=educator, credential=credential, is_open=True)
        raise _open_refusal(credential, existing) from None
    return submission, True


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
    part_id, _dot, field_id = ref.partition(".")
    part = responses.setdefault(part_id, {})
    if value is None:
        part.pop(field_id, None)
        if not part:
            responses.pop(part_id, None)
    else:
        part[field_id] = value


def _clean(
    definition: CredentialDefinition,
    base_revision: int,
    changes: Mapping[str, Any] | None,
    self_evaluation: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every value cleaned, or InvalidInput listing every field to fix: one answer names them all."""
    errors: list[FieldError] = []
    if not isinstance(base_revision, int) or isinstance(base_revision, bool) or base_revision < 0:
        errors.append(FieldError("base_revision", _("send the revision number the draft was loaded at")))
    cleaned: dict[str, Any] = {}
    for ref, raw in dict(changes or {}).items():
        try:
            cleaned[ref] = clean_change(definition, ref, raw)
        except InvalidInput as problem:
            errors.extend(problem.errors)
    cleaned_ratings: dict[str, Any] = {}
    for criterion_id, raw in dict(self_evaluation or {}).items():
        try:
            cleaned_ratings[criterion_id] = clean_self_evaluation(definition, criterion_id, raw)
        except InvalidInput as problem:
            errors.extend(problem.errors)
    if errors:
        raise InvalidInput(errors)
    return cleaned, cleaned_ratings


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
    definition = submission.version.spec
    cleaned, cleaned_ratings = _clean(definition, base_revision, changes, self_evaluation)
    with transaction.atomic():
        # Autosave's lock reads only what it checks and writes: the joins the other services' lock brings are
        # a third of an autosave's database work, and the first save's event reads the credential on its own.
        locked = (
            Submission.objects.select_for_update()
            .only("educator_id", "status", "updated_at", "credential_id", "version_id")
            .get(pk=submission.pk)
        )
        require_owner(locked, actor)
        require_editable(locked)
        draft = _merge(locked, actor, definition, base_revision, cleaned, cleaned_ratings)
    submission.status, submission.updated_at = locked.status, locked.updated_at
    return draft


# What the autosave's lock reads beside the submission's own columns: the definition's identity (its parsed
# form is cached per process by version and content hash, so the large definition column stays unread) and
# what the answer names the credential by. Everything else on those rows would be read and converted for
# nothing on every keystroke pause.
_AUTOSAVE_COLUMNS = (
    "educator_id",
    "credential_id",
    "version_id",
    "status",
    "is_open",
    "created_at",
    "updated_at",
    "version__number",
    "version__content_hash",
    "credential__slug",
    "credential__title",
    "credential__issuer__name",
)


# The state an autosave starts from, read with no lock: the submission with what the answer names, and its draft,
# in one statement, so that the two are one committed state.
_DRAFT_COLUMNS = ("responses", "self_evaluation", "revision", "field_revisions", "first_written_at", "updated_at")
_AUTOSAVE_READ: CompiledModels[Submission] = CompiledModels(
    lambda pk, owner: (
        Submission.objects.select_related("version", "credential__issuer", "draft")
        .only(*_AUTOSAVE_COLUMNS, *(f"draft__{column}" for column in (*_DRAFT_COLUMNS, "updated_by")))
        .filter(pk=pk, educator_id=owner)
        .order_by()
    ),
    int,
    int,
)
# The same save when that state changed before it could be written: the submission row locked (only it: the
# version, credential and issuer rows it joins are read, not written), then its draft.
_AUTOSAVE_LOCK: CompiledModels[Submission] = CompiledModels(
    lambda pk, owner: (
        Submission.objects.select_for_update(of=("self",))
        .select_related("version", "credential__issuer")
        .only(*_AUTOSAVE_COLUMNS)
        .filter(pk=pk, educator_id=owner)
        .order_by()
    ),
    int,
    int,
)
_DRAFT_LOCK: CompiledModels[Draft] = CompiledModels(lambda pk: Draft.objects.select_for_update().filter(pk=pk), int)
# A save writes the draft's revision, its fields' revisions and its time, and of its other columns only those that
# changed: the text, the self-evaluation, when a text was first written, who saved it (that column is indexed, and a
# column named in an UPDATE has its index entry rewritten whether its value changed or not, which for one person
# typing would be every save). Each column left out is one value less to encode and write on every pause in typing.
# Every write is guarded by what the save was merged from: the draft's by its revision (every write to a draft moves
# it, so a column left out still holds what was read), the submission's, when it is written too, by its status and
# version.
_DRAFT_WRITES: dict[tuple[str, ...], CompiledUpdate[Draft]] = {}
_STATUS_WRITE: CompiledUpdate[Submission] = CompiledUpdate(
    Submission, ("status", "updated_at"), guards=("status", "version")
)


# An autosave moves its submission's updated_at (the dashboard's "last saved", and its order) when that is this old,
# so at most about once a minute while someone types: any other save writes the draft alone, in one UPDATE guarded by
# its revision. One statement is atomic by itself: that save needs no transaction of its own, and on every pause in
# typing the BEGIN, the submission's UPDATE and the COMMIT through Django were a seventh of its time. Nothing is
# lost by leaving the submission out: the revision stands guard for its status too, since it moves when the draft
# stops being editable (services._common.event_record), and a submission never changes version.
SUBMISSION_TOUCH = timedelta(minutes=1)


def _draft_write(columns: tuple[str, ...]) -> CompiledUpdate[Draft]:
    """The guarded UPDATE of these draft columns, built once per set of them (a few in all)."""
    found = _DRAFT_WRITES.get(columns)
    if found is None:
        found = _DRAFT_WRITES.setdefault(columns, CompiledUpdate(Draft, columns, guards=("revision",)))
    return found


class _Changed(Exception):
    """What a save was merged from changed before it was written: its transaction is rolled back."""


def draft_autosave(
    *,
    submission_id: int,
    actor: User,
    base_revision: int,
    changes: Mapping[str, Any] | None = None,
    self_evaluation: Mapping[str, Any] | None = None,
) -> Submission:
    """`draft_save` for a request that names the submission by id (the API's PATCH .../responses, which the
    submission page's autosave calls): NotFound unless `actor` owns it, answered alike whether it exists or not.
    Returns the submission with its draft as saved, its version, credential and issuer loaded (its updated_at as
    stored: older than the draft's when the draft alone was written).

    Optimistic first: one read without a lock finds the submission, checks its owner and brings its draft; the
    merge is made in Python; the write takes the database's writer (SQLite) or the rows' locks (PostgreSQL) only
    for its UPDATEs, each guarded by what the merge was made from: the draft's alone, or with the submission's
    status and time when the first save moves the status or its time is due (SUBMISSION_TOUCH). The page saves on
    every pause in typing, and on SQLite every writer of the database waits while one holds its lock: holding it
    through the reads and the merge as well made a busy server's second process wait, a core idle. When a guard
    finds the draft or the submission changed meanwhile (another tab's save, a submission, an erasure), nothing is
    kept and the save is made again as before: the submission locked, then its draft, read again under the locks.
    Whatever is answered from the read alone (a conflict, a refusal, a save that changes nothing) is the answer the
    save would have had at the moment of that read, a committed state."""
    read = _AUTOSAVE_READ.one(submission_id, actor.pk)
    if read is None:
        raise NotFound(_("no such submission"))
    definition, cleaned, cleaned_ratings = _checked(read, base_revision, changes, self_evaluation)
    try:
        draft = read.draft
    except Draft.DoesNotExist:
        return _autosave_locked(submission_id, actor, base_revision, changes, self_evaluation)
    seen = draft.revision
    columns = _merged(draft, actor, definition, base_revision, cleaned, cleaned_ratings)
    if not columns:
        return read
    try:
        if read.status != Status.STARTED and draft.updated_at - read.updated_at < SUBMISSION_TOUCH:
            with sqlite_writer_turn():
                if not _draft_write(columns).run(draft, seen):
                    raise _Changed
        else:
            with sqlite_writer_turn(), transaction.atomic():
                if not _write(read, draft, actor, seen, columns):
                    raise _Changed
    except _Changed:
        return _autosave_locked(submission_id, actor, base_revision, changes, self_evaluation)
    return read


def _autosave_locked(
    submission_id: int,
    actor: User,
    base_revision: int,
    changes: Mapping[str, Any] | None,
    self_evaluation: Mapping[str, Any] | None,
) -> Submission:
    """The save with the submission's row and then its draft's locked from the first read (on SQLite, the
    database's writer held throughout): nothing can change between what it reads and what it writes."""
    with sqlite_writer_turn(), transaction.atomic():
        locked = _AUTOSAVE_LOCK.one(submission_id, actor.pk)
        if locked is None:
            raise NotFound(_("no such submission"))
        definition, cleaned, cleaned_ratings = _checked(locked, base_revision, changes, self_evaluation)
        locked.draft = _merge(locked, actor, definition, base_revision, cleaned, cleaned_ratings)
    return locked


def _checked(
    submission: Submission,
    base_revision: int,
    changes: Mapping[str, Any] | None,
    self_evaluation: Mapping[str, Any] | None,
) -> tuple[CredentialDefinition, dict[str, Any], dict[str, Any]]:
    """The submission's definition and the values cleaned by it, checked in the order draft_save checks them: the
    values, then whether the draft may change."""
    definition = submission.version.spec
    cleaned, cleaned_ratings = _clean(definition, base_revision, changes, self_evaluation)
    require_editable(submission)
    return definition, cleaned, cleaned_ratings


def _merge(
    locked: Submission,
    actor: User,
    definition: CredentialDefinition,
    base_revision: int,
    cleaned: dict[str, Any],
    cleaned_ratings: dict[str, Any],
) -> Draft:
    """The cleaned changes merged into the draft of `locked` (whose row lock the caller holds) and written:
    Conflict when a field changed since `base_revision` to another value; the draft as it was when nothing
    changes."""
    draft = _DRAFT_LOCK.one(locked.pk)
    if draft is None:
        raise Draft.DoesNotExist(f"submission {locked.pk} has no draft")
    seen = draft.revision
    columns = _merged(draft, actor, definition, base_revision, cleaned, cleaned_ratings)
    if columns and not _write(locked, draft, actor, seen, columns):
        raise RuntimeError(f"the draft of submission {locked.pk} changed under its lock")
    return draft


def _merged(
    draft: Draft,
    actor: User,
    definition: CredentialDefinition,
    base_revision: int,
    cleaned: dict[str, Any],
    cleaned_ratings: dict[str, Any],
) -> tuple[str, ...]:
    """The cleaned changes merged into `draft` in memory, writing nothing: the draft's columns to write (in
    `_DRAFT_COLUMNS`' order, then the writer); Conflict when a field changed since `base_revision` to another value;
    none, the draft untouched, when nothing changes."""
    if base_revision > draft.revision:
        raise InvalidInput(
            [
                FieldError(
                    "base_revision",
                    _("revision %(base)s does not exist yet; the draft is at %(now)s: reload it")
                    % {"base": base_revision, "now": draft.revision},
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
        return ()
    columns = {"revision", "field_revisions", "updated_at"}
    if changed:
        columns.add("responses")
    if changed_ratings:
        columns.add("self_evaluation")
    if draft.updated_by_id != actor.pk:
        columns.add("updated_by")
    now = timezone.now()
    revision = draft.revision + 1
    for ref in changed:
        _set_value(draft.responses, ref, cleaned[ref])
        draft.field_revisions[ref] = revision
        spec = definition.field_at(ref)
        if isinstance(spec, TextField) and is_filled(cleaned[ref]) and ref not in draft.first_written_at:
            draft.first_written_at[ref] = now.isoformat()
            columns.add("first_written_at")
    for criterion_id in changed_ratings:
        if cleaned_ratings[criterion_id] is None:
            draft.self_evaluation.pop(criterion_id, None)
        else:
            draft.self_evaluation[criterion_id] = cleaned_ratings[criterion_id]
        draft.field_revisions[SELF_EVALUATION_KEY + criterion_id] = revision
    draft.revision = revision
    draft.updated_at = now
    draft.updated_by = actor
    return tuple(column for column in (*_DRAFT_COLUMNS, "updated_by") if column in columns)


def _write(submission: Submission, draft: Draft, actor: User, seen: int, columns: tuple[str, ...]) -> bool:
    """The merged draft's `columns` and the submission's status and time written, inside the caller's transaction,
    where the submission's status and version and the draft's revision (`seen`) are still those the merge was made
    from. False when either changed: the caller must then roll its transaction back."""
    status, version = submission.status, submission.version_id
    # Only the first save is an event: later autosaves would drown the timeline, and the draft's
    # revision and updated_at already record them.
    if status == Status.STARTED:
        event_record(submission=submission, kind=EventKind.SAVED, actor=actor, new_status=Status.IN_PROGRESS)
    submission.updated_at = draft.updated_at
    if not _STATUS_WRITE.run(submission, status, version):
        return False
    return bool(_draft_write(columns).run(draft, seen))
