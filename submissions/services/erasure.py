"""Erasing an educator's work when their account is deleted: what the submissions room holds of them.

The rows stay where others' records point at them (an attempt is what its decision and reviews are about;
an evidence row is what an attempt froze), emptied of the person's words: drafts and attempts lose their
responses and self-evaluation, evidence its stored files (through retention's evidence_files_delete, so the
files go once the transaction commits) and its original names, and the copy-detection signatures and
findings derived from the texts are deleted. workflow/erasure.py calls this as one step of the erasure."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q

from accounts.models import User
from submissions.models import Attempt, AttemptText, Attestation, CopyFinding, Draft, Evidence, Submission
from submissions.services.retention import DeletionReason, evidence_files_delete

# What an erased attempt's or file's words are replaced by, so a page shows why there is nothing.
ERASED = "[erased at the educator's request]"


def submissions_erase(*, educator: User) -> dict[str, int]:
    """Erase the educator's drafts, evidence and attempt texts; answers what it changed. Idempotent."""
    with transaction.atomic():
        # Each submission's row first, as every service that changes a draft or its attempts takes it
        # (services._common): taking the drafts' and attempts' rows in another order could deadlock with them.
        list(Submission.objects.filter(educator=educator).order_by("pk").select_for_update().values_list("pk"))
        evidence = Evidence.objects.filter(submission__educator=educator)
        files = evidence_files_delete(items=list(evidence.exclude(file="")), reason=DeletionReason.ACCOUNT_DELETED)
        evidence.update(original_name=ERASED, reviewer_copy_removed=[], reviewer_copy_problem="")
        # A write to a draft moves its revision: an autosave merged from the draft as it was before is then not
        # written over the erasure (submissions.services.drafts guards its write on the revision).
        drafts = Draft.objects.filter(submission__educator=educator).update(
            responses={}, self_evaluation={}, field_revisions={}, first_written_at={}, revision=F("revision") + 1
        )
        attempts = Attempt.objects.filter(submission__educator=educator)
        attempt_ids = list(attempts.values_list("pk", flat=True))
        for attempt in attempts.only("pk", "evidence_manifest"):
            manifest = [{**entry, "name": ERASED} for entry in attempt.evidence_manifest or []]
            # The attempt is frozen against edits (Attempt.save); erasure is the one change the law asks for.
            Attempt.objects.filter(pk=attempt.pk).update(responses={}, self_evaluation={}, evidence_manifest=manifest)
        CopyFinding.objects.filter(Q(attempt_id__in=attempt_ids) | Q(other_attempt_id__in=attempt_ids)).delete()
        AttemptText.objects.filter(attempt_id__in=attempt_ids).delete()
        # Collaborators' addresses and notes go with the drafts; what attempts record of them names nobody.
        Attestation.objects.filter(submission__educator=educator).delete()
    return {"evidence_files": len(files), "drafts": drafts, "attempts": len(attempt_ids)}
