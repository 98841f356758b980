"""Attaching files to a draft's file fields and taking them off again.

What a file is comes from its content (submissions.evidence); this module decides whether the field
takes that kind, whether the field has room, and where the file is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from itertools import islice
from pathlib import PurePath

from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.schema import FILE_TYPES, FileField
from core.errors import FieldError, FileTooLarge, InvalidInput
from submissions import evidence as sniffing
from submissions.models import EVIDENCE_FOLDER, AttemptEvidence, EventKind, Evidence, Status, Submission
from submissions.services._common import event_record, lock_for_update, require_editable, require_owner


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


def _require_room(submission: Submission, spec: FileField, field_ref: str) -> None:
    require_editable(submission)
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
        # The sniffer knows the file but not the field: name the field, and say what it would take.
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
    require_owner(submission, actor)
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
        item.file.delete(save=False)  # no row points at it
        raise
    return item


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
            stored = item.file.name or ""
            storage = item.file.storage
            item.delete()
            transaction.on_commit(lambda: storage.delete(stored))
        locked.updated_at = timezone.now()
        locked.save(update_fields=["updated_at"])


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
    """Delete evidence files that no Evidence row references and that are older than `grace`; returns their names.

    evidence_add stores the file before the transaction that records it, so that a slow upload never holds
    the draft's lock, and deletes it again if that transaction fails; a server killed in between leaves the
    file behind, as does one killed after evidence_remove commits but before its file is deleted. Nothing
    but this sweep can find such a file. The grace keeps it off uploads still on their way to a commit."""
    storage = Evidence._meta.get_field("file").storage
    cutoff = timezone.now() - grace
    removed: list[str] = []
    names = _stored_names(storage, EVIDENCE_FOLDER)
    while batch := list(islice(names, _SWEEP_BATCH)):
        referenced = set(Evidence.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name in referenced:
                continue
            try:
                if storage.get_modified_time(name) >= cutoff:
                    continue
            except FileNotFoundError:
                continue  # deleted meanwhile
            # Looked at again just before deleting: a row committed since the batch was read keeps its file.
            if Evidence.objects.filter(file=name).exists():
                continue
            if not dry_run:
                storage.delete(name)
            removed.append(name)
    return removed
