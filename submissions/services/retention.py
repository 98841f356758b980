"""Deleting evidence files while keeping the record of what they were.

A deleted file's Evidence row stays (attempts are frozen and point at it, and pages still name the file):
its name, type, size and hash are kept, its stored names (`file`, `reviewer_file`) are emptied, and the
audit log records when and why, which is what the pages and downloads tell anyone who follows a link to it.
An empty `file` is the mark: every upload stores one, so no live row has it empty, and no migration is
needed. Retention (workflow.retention) and account deletion both delete through `evidence_files_delete`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.files.storage import Storage
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.audit import audit_record
from submissions.models import Evidence, ReviewerCopy, Submission
from submissions.services._common import lock_for_update

logger = logging.getLogger(__name__)

# The audit action of a deletion; submissions.selectors.evidence_deletions reads it back.
EVIDENCE_FILES_DELETED = "evidence.files_deleted"


class DeletionReason(models.TextChoices):
    """Why an evidence file was deleted, in the words a page puts after "deleted on <date>"."""

    RETENTION = "retention", _("under the retention policy")
    ACCOUNT_DELETED = "account_deleted", _("when its owner deleted their account")


def evidence_files_delete(
    *,
    items: Iterable[Evidence],
    reason: str,
    actor: User | None = None,
    data: Mapping[int, Mapping[str, Any]] | None = None,
    at: datetime | None = None,
) -> list[Evidence]:
    """Delete the stored files of these evidence rows (the original and the reviewer's copy, which for a text
    file is the original itself), keeping the rows; returns the rows it deleted files of, as they now stand.

    Each deletion is one audit record ("evidence.files_deleted", the reason as its new value, `data[pk]`
    added to what it records: never the file's name, which may name a person). A row already deleted is
    skipped, so running it again does nothing. Runs in the caller's transaction if there is one; the stored
    files go once it commits, so a rollback never leaves a row pointing at nothing (a process killed after
    the commit leaves files no row references, which evidence_orphans_sweep deletes)."""
    if reason not in DeletionReason.values:
        raise ValueError(f"unknown reason {reason!r}: one of {', '.join(DeletionReason.values)}")
    wanted = sorted({item.pk for item in items})
    if not wanted:
        return []
    storage = Evidence._meta.get_field("file").storage
    deleted: list[Evidence] = []
    names: set[str] = set()
    with transaction.atomic():
        # The lock order every submissions service keeps: the submission first, then its rows.
        submission_ids = Evidence.objects.filter(pk__in=wanted).values_list("submission_id", flat=True)
        for submission in Submission.objects.filter(pk__in=set(submission_ids)).order_by("pk"):
            lock_for_update(submission)
        rows = (
            Evidence.objects.select_for_update(of=("self",))
            .select_related("submission__credential")
            .filter(pk__in=wanted)
            .exclude(file="")
            .order_by("pk")
        )
        for row in rows:
            stored = sorted({row.file.name or "", row.reviewer_file.name or ""} - {""})
            names.update(stored)
            changes: dict[str, Any] = {"file": "", "reviewer_file": ""}
            if row.reviewer_copy == ReviewerCopy.PENDING:
                # No copy can be made from nothing: evidence_reviewer_copies_make must not try.
                changes.update(reviewer_copy=ReviewerCopy.WITHHELD, reviewer_copy_problem="its file was deleted")
            Evidence.objects.filter(pk=row.pk).update(**changes)
            audit_record(
                action=EVIDENCE_FILES_DELETED,
                subject=row,
                actor=actor,
                old="stored",
                new=reason,
                data={
                    "submission": row.submission_id,
                    "field": row.field_ref,
                    "type": row.detected_type,
                    "size": row.size,
                    "sha256": row.sha256,
                    "stored_files": len(stored),
                    **(data or {}).get(row.pk, {}),
                },
                issuer_id=row.submission.credential.issuer_id,
                at=at,
            )
            row.file.name, row.reviewer_file.name = "", ""
            row.reviewer_copy = changes.get("reviewer_copy", row.reviewer_copy)
            row.reviewer_copy_problem = changes.get("reviewer_copy_problem", row.reviewer_copy_problem)
            deleted.append(row)
        transaction.on_commit(lambda: _delete_stored(storage, names), robust=True)
    return deleted


def _delete_stored(storage: Storage, names: set[str]) -> None:
    for name in sorted(names):
        try:
            storage.delete(name)
        except Exception:
            # The row is already marked; the file is now an orphan, which evidence_orphans_sweep deletes.
            logger.exception("deleting stored evidence file %s failed; the orphan sweep will retry", name)
