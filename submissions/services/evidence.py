"""Attaching files to a draft's file fields and taking them off again.

What a file is comes from its content (submissions.evidence); this module decides whether the field
takes that kind, whether the field has room, and where the file is stored. Each upload is stored twice:
as it came, for its owner, and as the reviewer's copy without the details that name its maker
(submissions.scrub), for everyone else.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Iterator
from datetime import timedelta
from itertools import islice
from pathlib import PurePath
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from catalog.schema import FILE_TYPES, FileField
from core.errors import FieldError, FileTooLarge, InvalidInput
from submissions import evidence as sniffing
from submissions.models import (
    EVIDENCE_FOLDER,
    AttemptEvidence,
    EventKind,
    Evidence,
    ReviewerCopy,
    Status,
    Submission,
)
from submissions.scrub import Uncleanable, scrub
from submissions.scrub_base import spooled
from submissions.services._common import event_record, lock_for_update, require_editable, require_owner

logger = logging.getLogger(__name__)


def _accepted_labels(spec: FileField) -> str:
    return ", ".join(_(FILE_TYPES[kind]) for kind in spec.accept)


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


def _require_room(submission: Submission, spec: FileField, field_ref: str) -> None:
    require_editable(submission)
    held = Evidence.objects.filter(submission=submission, field_ref=field_ref, in_draft=True).count()
    if held >= spec.max_files:
        raise InvalidInput(
            [
                FieldError(
                    field_ref,
                    ngettext(
                        "%(label)s already holds %(n)d file, the most it takes; remove it before adding another",
                        "%(label)s already holds %(n)d files, the most it takes; remove one before adding another",
                        held,
                    )
                    % {"label": spec.label, "n": held},
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


# The names the declaration goes by in the API and in refusals (the page shows them beside the file field).
STUDENT_DATA = "student_data"
STUDENT_DATA_CONSENT = "student_data_consent"


def _student_data_check(student_data: bool | None, consent: bool, name: str) -> None:
    """The educator must say whether the file shows or names students, and a yes stands only with the
    confirmation that the school's consent covers them: a file is never stored on a question left open."""
    if student_data is None:
        raise InvalidInput.on(
            STUDENT_DATA,
            _("say whether %(name)s contains any students' names, faces or voices (yes or no) before attaching it")
            % {"name": name},
        )
    if student_data and not consent:
        raise InvalidInput.on(
            STUDENT_DATA_CONSENT,
            _(
                "%(name)s contains students' names, faces or voices: confirm that your school's consent covers "
                "sharing it with the reviewers of your submission, or attach a version without them"
            )
            % {"name": name},
        )


def evidence_add(
    *,
    submission: Submission,
    actor: User,
    field_ref: str,
    upload: File,
    student_data: bool | None,
    student_data_consent: bool = False,
) -> Evidence:
    """Attach a file to a file field of the draft, after checking what it is by its content.

    `student_data` is the educator's answer to whether the file contains students' names, faces or voices
    (None: not answered, refused); a yes needs `student_data_consent`, their confirmation that the school's
    consent covers it. Such a file is marked and reaches only the reviewers of an attempt in review
    (reviews.selectors)."""
    definition = submission.version.spec
    try:
        spec = definition.field_at(field_ref)
    except ValueError:
        raise InvalidInput([FieldError(field_ref, _("there is no such field in this credential's form"))]) from None
    if not isinstance(spec, FileField) or field_ref.count(".") != 1:
        raise InvalidInput([FieldError(field_ref, _("%(label)s does not take files") % {"label": spec.label})])
    name = _clean_name(upload.name or "")
    limit = int(spec.max_size_mb * 1024 * 1024)
    size = upload.size or 0
    if size > limit:
        raise FileTooLarge(
            [
                FieldError(
                    field_ref,
                    _("%(label)s: %(name)s is %(size)s MB; the most this field takes is %(max)s MB per file")
                    % {
                        "label": spec.label,
                        "name": name,
                        "size": number_format(size / 2**20, 1),
                        "max": number_format(f"{spec.max_size_mb:g}"),
                    },
                )
            ]
        )
    try:
        sniffed = sniffing.sniff(upload)
    except sniffing.Refused as refusal:
        # The sniffer knows the file but not the field: name the field, and say what it would take.
        raise InvalidInput(
            [
                FieldError(
                    field_ref,
                    _("%(label)s: %(name)s was not accepted: %(why)s. This field accepts: %(accepted)s.")
                    % {"label": spec.label, "name": name, "why": refusal.message, "accepted": _accepted_labels(spec)},
                )
            ]
        ) from None
    kind = _file_kind(sniffed, spec, name)
    if kind is None:
        raise InvalidInput(
            [
                FieldError(
                    field_ref,
                    _(
                        "%(label)s: %(name)s is %(what)s, which this field does not accept. This field accepts: "
                        "%(accepted)s."
                    )
                    % {
                        "label": spec.label,
                        "name": name,
                        "what": sniffed.description,
                        "accepted": _accepted_labels(spec),
                    },
                )
            ]
        )
    content_type = {"csv": "text/csv; charset=utf-8"}.get(kind, sniffed.content_type)
    digest, size = _sha256(upload)
    # A first look without the lock spares storing a file that is bound to be refused...
    require_owner(submission, actor)
    _require_room(submission, spec, field_ref)
    _student_data_check(student_data, student_data_consent, name)
    item = Evidence(
        field_ref=field_ref,
        student_data=student_data,
        student_data_consent_at=timezone.now() if student_data else None,
        original_name=name,
        detected_type=kind,
        detail=sniffed.detail,
        content_type=content_type,
        size=size,
        sha256=digest,
        uploaded_by=actor,
    )
    # ...and the file and its reviewer's copy are written to storage before the lock is taken, so a slow
    # upload to S3 or a long cleaning never holds up autosaves of the same draft.
    upload.seek(0)
    item.file.save("upload", upload, save=False)
    try:
        upload.seek(0)
        _reviewer_copy_store(item, upload)
        with transaction.atomic():
            locked = lock_for_update(submission)
            require_editable(locked)
            # Counted again under the lock: two uploads racing for the last free place cannot both win it.
            _require_room(locked, spec, field_ref)
            item.submission = locked
            item.save()
            locked.updated_at = timezone.now()
            if locked.status == Status.STARTED:
                event_record(submission=locked, kind=EventKind.SAVED, actor=actor, new_status=Status.IN_PROGRESS)
            locked.save(update_fields=["status", "updated_at"])
    except BaseException:
        _stored_files_delete(item)  # no row points at them
        raise
    return item


def _reviewer_copy_store(item: Evidence, source: IO[bytes]) -> None:
    """Make and store the reviewer's copy of `item` (not saved): cleaned, the original itself, or withheld."""
    item.reviewer_copy_removed = []
    item.reviewer_copy_problem = ""
    try:
        result = scrub(item.detected_type, item.detail, source)
    except Uncleanable as refusal:
        item.reviewer_copy, item.reviewer_copy_problem = ReviewerCopy.WITHHELD, refusal.reason[:300]
        item.reviewer_file.name = ""
        return
    except Exception:
        # A library tripping over a file it should have read is a bug to fix, not a reason to lose the upload
        # or to show reviewers the original: the file is withheld from them, as an uncleanable one is.
        logger.exception("cleaning evidence %s (%s/%s) failed", item.pk, item.detected_type, item.detail)
        item.reviewer_copy, item.reviewer_copy_problem = ReviewerCopy.WITHHELD, "it could not be read through"
        item.reviewer_file.name = ""
        return
    if result.content is None:
        item.reviewer_copy, item.reviewer_file.name = ReviewerCopy.SAME, item.file.name
        return
    with result.content:
        item.reviewer_file.save("reviewer", File(result.content), save=False)
    item.reviewer_copy, item.reviewer_copy_removed = ReviewerCopy.CLEANED, result.removed


def _stored_files_delete(item: Evidence) -> None:
    if item.reviewer_file.name and item.reviewer_file.name != item.file.name:
        item.reviewer_file.delete(save=False)
    item.file.delete(save=False)


def evidence_reviewer_copy_make(*, evidence: Evidence) -> Evidence:
    """Make the reviewer's copy of a file stored before copies were made (its row is pending); returns the row
    as it now stands. Run for every such row by `manage.py evidence_reviewer_copies`, and for a single one at
    its first download by someone other than its owner, so no reviewer ever waits for the command or gets
    the original. Two made at once both store a copy; the first recorded wins and the other is deleted."""
    if evidence.reviewer_copy != ReviewerCopy.PENDING:
        return evidence
    item = Evidence.objects.get(pk=evidence.pk)
    with spooled() as source:
        try:
            with item.file.open("rb") as stored:
                shutil.copyfileobj(stored, source)
        except FileNotFoundError:
            item.reviewer_copy, item.reviewer_copy_problem = ReviewerCopy.WITHHELD, "its stored file is missing"
            item.reviewer_file.name = ""
        else:
            source.seek(0)
            _reviewer_copy_store(item, source)
    recorded = Evidence.objects.filter(pk=item.pk, reviewer_copy=ReviewerCopy.PENDING).update(
        reviewer_file=item.reviewer_file.name,
        reviewer_copy=item.reviewer_copy,
        reviewer_copy_removed=item.reviewer_copy_removed,
        reviewer_copy_problem=item.reviewer_copy_problem,
    )
    if not recorded and item.reviewer_file.name and item.reviewer_file.name != item.file.name:
        item.reviewer_file.delete(save=False)
    return Evidence.objects.select_related("submission").get(pk=item.pk)


def evidence_reviewer_copies_make(*, batch: int = 100) -> Iterator[Evidence]:
    """Make the reviewer's copy of every pending file, yielding each row once it is done."""
    while pending := list(Evidence.objects.filter(reviewer_copy=ReviewerCopy.PENDING).order_by("pk")[:batch]):
        for item in pending:
            yield evidence_reviewer_copy_make(evidence=item)


def evidence_remove(*, evidence: Evidence, actor: User) -> None:
    """Take a file off the draft. A file an attempt references stays stored (the attempt is frozen);
    any other is deleted, its file once the transaction has committed."""
    with transaction.atomic():
        locked = lock_for_update(evidence.submission)
        require_owner(locked, actor)
        require_editable(locked)
        item = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if not item.in_draft:
            return
        if AttemptEvidence.objects.filter(evidence=item).exists():
            item.in_draft = False
            item.save(update_fields=["in_draft"])
        else:
            stored = {item.file.name or "", item.reviewer_file.name or ""} - {""}
            storage = item.file.storage
            item.delete()
            transaction.on_commit(lambda: _delete_all(storage, stored))
        locked.updated_at = timezone.now()
        locked.save(update_fields=["updated_at"])


def _delete_all(storage: Storage, names: set[str]) -> None:
    for name in sorted(names):
        storage.delete(name)


# Longer than any upload takes between its file reaching storage and its row being committed.
ORPHAN_GRACE = timedelta(hours=1)
_SWEEP_BATCH = 500


def _stored_names(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_names(storage, f"{folder}/{sub}")


def evidence_orphans_sweep(*, grace: timedelta = ORPHAN_GRACE, dry_run: bool = False) -> list[str]:
    """Delete evidence files (originals or reviewer's copies) that no Evidence row references and that are older
    than `grace`; returns their names.

    evidence_add stores the file before the transaction that records it, so that a slow upload never holds
    the draft's lock, and deletes it again if that transaction fails; a server killed in between leaves the
    file behind, as does one killed after evidence_remove commits but before its file is deleted. Nothing
    but this sweep can find such a file. The grace keeps it off uploads still on their way to a commit."""
    storage = Evidence._meta.get_field("file").storage
    cutoff = timezone.now() - grace
    removed: list[str] = []
    names = _stored_names(storage, EVIDENCE_FOLDER)
    while batch := list(islice(names, _SWEEP_BATCH)):
        rows = Evidence.objects.filter(Q(file__in=batch) | Q(reviewer_file__in=batch))
        referenced = {name for pair in rows.values_list("file", "reviewer_file") for name in pair}
        for name in batch:
            if name in referenced:
                continue
            try:
                if storage.get_modified_time(name) >= cutoff:
                    continue
            except FileNotFoundError:
                continue  # deleted meanwhile
            # Looked at again just before deleting: a row committed since the batch was read keeps its file.
            if Evidence.objects.filter(Q(file=name) | Q(reviewer_file=name)).exists():
                continue
            if not dry_run:
                storage.delete(name)
            removed.append(name)
    return removed
