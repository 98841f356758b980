"""Every change to a submission: start, save the draft, attach and remove evidence, freeze an attempt,
withdraw it, and the status transitions reviews drive. One module per concern:

  drafts        submission_start, draft_save (field-level merges and conflicts)
  evidence      evidence_add, evidence_remove (file kinds by content, room in the field),
                evidence_orphans_sweep (files no row references, left by a crash)
  completeness  completeness_check
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
from submissions.services.completeness import completeness_check
from submissions.services.drafts import SELF_EVALUATION_KEY, draft_save, submission_start
from submissions.services.evidence import evidence_add, evidence_orphans_sweep, evidence_remove

__all__ = [
    "OVERRIDE_TRANSITIONS",
    "SELF_EVALUATION_KEY",
    "TRANSITIONS",
    "Transition",
    "attempt_freeze",
    "attempt_transition",
    "attempt_withdraw",
    "completeness_check",
    "draft_save",
    "evidence_add",
    "evidence_orphans_sweep",
    "evidence_remove",
    "status_replay",
    "submission_lock",
    "submission_start",
]
