"""Every change to a submission: start, save the draft, attach and remove evidence, freeze an attempt,
withdraw it, and the status transitions reviews drive. One module per concern:

  drafts        submission_start (one submission per credential at a time; renewal where a definition
                allows it), submission_start_refusal, draft_save (field-level merges and conflicts), draft_autosave
                (the same for a request naming the submission by id: found, owner-checked and locked at once)
  evidence      evidence_add, evidence_remove (file kinds by content, room in the field, the reviewer's
                copy, the educator's declaration of student data in it), evidence_reviewer_copy_make and
                evidence_reviewer_copies_make (copies of files stored before copies were made),
                evidence_orphans_sweep (files no row references)
  completeness  completeness_check
  attestations  attestation_request, attestation_answer (a collaborator confirms a list entry by an emailed
                link), attestations_freeze (what an attempt keeps of it; rules in submissions/attestations.py)
  retention     evidence_files_delete (a file's stored copies deleted, its row and metadata kept, audited:
                for retention and for account deletion alike)
  erasure       submissions_erase (an erased account's drafts, evidence files and names, attempt texts)
  offline_form  offline_form_apply (a filled submission form, uploaded, fills the draft's empty answers)
  attempts      submission_lock, attempt_freeze, TRANSITIONS, attempt_transition, attempt_withdraw,
                status_replay
  _common       the lock order, the owner and editability checks, and the one way an event is written
                (to core's audit log)

Callers import from here (`from submissions.services import draft_save`), not from the modules.
"""

from submissions.services.attempts import (
    OVERRIDE_TRANSITIONS,
    TRANSITIONS,
    Transition,
    attempt_freeze,
    attempt_transition,
    attempt_withdraw,
    status_replay,
    submission_lock,
)
from submissions.services.attestations import attestation_answer, attestation_request, attestations_freeze
from submissions.services.completeness import completeness_check
from submissions.services.drafts import (
    SELF_EVALUATION_KEY,
    draft_autosave,
    draft_save,
    submission_start,
    submission_start_refusal,
)
from submissions.services.erasure import submissions_erase
from submissions.services.evidence import (
    STUDENT_DATA,
    STUDENT_DATA_CONSENT,
    evidence_add,
    evidence_orphans_sweep,
    evidence_remove,
    evidence_reviewer_copies_make,
    evidence_reviewer_copy_make,
)
from submissions.services.offline_form import FormReport, offline_form_apply
from submissions.services.retention import EVIDENCE_FILES_DELETED, DeletionReason, evidence_files_delete

__all__ = [
    "EVIDENCE_FILES_DELETED",
    "OVERRIDE_TRANSITIONS",
    "SELF_EVALUATION_KEY",
    "STUDENT_DATA",
    "STUDENT_DATA_CONSENT",
    "TRANSITIONS",
    "DeletionReason",
    "FormReport",
    "Transition",
    "attempt_freeze",
    "attempt_transition",
    "attempt_withdraw",
    "attestation_answer",
    "attestation_request",
    "attestations_freeze",
    "completeness_check",
    "draft_autosave",
    "draft_save",
    "evidence_add",
    "evidence_files_delete",
    "evidence_orphans_sweep",
    "evidence_remove",
    "evidence_reviewer_copies_make",
    "evidence_reviewer_copy_make",
    "offline_form_apply",
    "status_replay",
    "submission_lock",
    "submission_start",
    "submission_start_refusal",
    "submissions_erase",
]
