"""The completeness check run on the draft as it is saved: on request, and by attempt_freeze on submit."""

from __future__ import annotations

from submissions.attestations import attestation_findings, entry_states, requires_confirmation
from submissions.checks import DraftState, Finding, active_parts, findings_for
from submissions.models import Draft, Evidence, Submission


def draft_state(submission: Submission, draft: Draft) -> DraftState:
    """What the checks read of a draft: its values, and how many files each file field holds now."""
    counts: dict[str, int] = {}
    for ref in Evidence.objects.filter(submission=submission, in_draft=True).values_list("field_ref", flat=True):
        counts[ref] = counts.get(ref, 0) + 1
    return DraftState(
        responses=draft.responses,
        self_evaluation=draft.self_evaluation,
        evidence_counts=counts,
        first_written_at=draft.first_written_at,
    )


def draft_findings(submission: Submission, draft: Draft) -> list[Finding]:
    """The definition's findings for the draft, then what it requires collaborators to confirm (read only where a
    definition requires any, so other drafts' checks cost no query more)."""
    definition = submission.version.spec
    state = draft_state(submission, draft)
    findings = findings_for(definition, state)
    if requires_confirmation(definition):
        states = entry_states(submission=submission, definition=definition, responses=draft.responses)
        findings += attestation_findings(definition, states, active_parts(definition, state))
    return findings


def completeness_check(*, submission: Submission) -> list[Finding]:
    """The findings for the draft as it is saved now (a read: it changes nothing)."""
    draft = Draft.objects.get(pk=submission.pk)
    return draft_findings(submission, draft)
