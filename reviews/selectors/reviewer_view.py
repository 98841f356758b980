"""The frozen attempt as a reviewer sees it, through one of their live assignments: anonymised (no name,
email, school or file name of the candidate; see reviews.anonymise), with only their own scores - never
another reviewer's, before or after the decision - and, for a resubmission, what changed since the last
attempt and the feedback it got."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from catalog.definition_text import definition_shown
from catalog.schema import FILE_TYPES, CredentialDefinition, ListField
from core.errors import NotFound
from reviews import policy
from reviews.anonymise import Redactor
from reviews.models import Decision, Review, SeatRole
from reviews.selectors.access import Viewer
from reviews.selectors.appeals import ContestedCriterion, appeal_files_open, appeal_reasons_for_reviewer
from reviews.selectors.decisions import decision_inputs
from reviews.selectors.feedback import Feedback, feedback_from_decision
from reviews.selectors.queue import assignment_get_for_reviewer
from submissions.attestations import attempt_confirmed_entries, attested_lists, filled_entries
from submissions.models import Attempt, CopyFinding, Evidence, ReviewerCopy


@dataclass(frozen=True)
class FieldView:
    ref: str
    label: str
    kind: str
    value: Any


@dataclass(frozen=True)
class PartView:
    id: str
    title: str
    fields: list[FieldView]
    criteria: list[str]


@dataclass(frozen=True)
class EvidenceView:
    id: int
    field: str
    label: str  # "Evidence of collaboration, file 2 (PDF document)": never the original file name
    type: str
    size: int
    download_path: str
    # It could not be cleaned of details naming the candidate, so the reviewer is told so instead of getting it.
    withheld: bool = False
    # The educator said it contains students' names, faces or voices (or uploaded it before being asked).
    student_data: bool = False


# What a reviewer is told in place of the files once the decision is made.
EVIDENCE_ENDED = gettext_lazy(
    "The decision on this attempt has been made, so its evidence files are no longer "
    "available to reviewers. Your scores and comments are kept."
)


@dataclass(frozen=True)
class CopyFindingView:
    field: str
    field_label: str
    overlap: float


@dataclass(frozen=True)
class EntryConfirmation:
    """Whether an entry of a list was confirmed by the collaborator it records; never who they are."""

    ref: str
    position: int
    confirmed: bool


@dataclass(frozen=True)
class FieldChange:
    ref: str
    label: str
    changed: bool
    previous: Any
    current: Any


@dataclass(frozen=True)
class Resubmission:
    previous_number: int
    changes: list[FieldChange]
    self_evaluation_changes: list[FieldChange]
    evidence_added: list[EvidenceView]
    evidence_removed: list[str]  # labels of files the previous attempt had and this one has not
    feedback: Feedback


@dataclass(frozen=True)
class ReviewerAttemptView:
    """The frozen attempt as a reviewer sees it: anonymised, with only their own scores."""

    assignment_id: int
    assignment_state: str
    due_at: datetime
    seat_title: str
    adjudicator: bool
    credential: str
    issuer: str
    attempt_number: int
    version: int
    submitted_at: datetime
    grade_band: str
    parts: list[PartView]
    self_evaluation: list[dict[str, Any]]
    evidence: list[EvidenceView]
    copy_findings: list[CopyFindingView]
    rubric: dict[str, Any]
    my_review_state: str | None
    my_scores: dict[str, dict[str, str]]
    resubmission: Resubmission | None = None
    disputed: list[str] = field(default_factory=list)  # for the lead: the criteria the assessors split on
    # False once the attempt is decided: the files are listed without links, and `evidence_notice` says why.
    evidence_available: bool = True
    evidence_notice: str = ""
    # Per entry of a list collaborators may confirm: confirmed or not (submissions.attestations).
    confirmations: list[EntryConfirmation] = field(default_factory=list)
    # For the fresh reviewer of an appeal: the criteria contested and the educator's reasons, anonymised.
    appeal_reasons: list[ContestedCriterion] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _field_label(definition: CredentialDefinition, ref: str) -> str:
    try:
        return definition.field_at(ref).label
    except ValueError:
        return ref


def _strip_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k != "id"}
    return value


def parts_view(definition: CredentialDefinition, responses: dict[str, Any], redact: Redactor) -> list[PartView]:
    """The non-file answers part by part, each passed through `redact`."""
    out = []
    for part in definition.parts:
        answers = responses.get(part.id, {})
        fields = [
            FieldView(
                ref=f"{part.id}.{spec.id}",
                label=spec.label,
                kind=spec.kind,
                value=redact.value(
                    _strip_ids(answers.get(spec.id)) if isinstance(spec, ListField) else answers.get(spec.id)
                ),
            )
            for spec in part.fields
            if spec.kind != "file"
        ]
        out.append(PartView(part.id, part.title, fields, [c.id for c in definition.part_criteria(part.id)]))
    return out


def _evidence(
    definition: CredentialDefinition, manifest: list[dict[str, Any]], assignment_id: int, *, available: bool = True
) -> list[EvidenceView]:
    counters: dict[str, int] = {}
    out = []
    rows = list(
        Evidence.objects.filter(pk__in=[int(item["id"]) for item in manifest]).values_list(
            "pk", "reviewer_copy", "student_data"
        )
    )
    withheld = {pk for pk, copy, _ in rows if copy == ReviewerCopy.WITHHELD}
    student_data = {pk for pk, _, declared in rows if declared is not False}
    for item in manifest:
        ref = str(item.get("field", ""))
        counters[ref] = counters.get(ref, 0) + 1
        kind = str(item.get("type", ""))
        out.append(
            EvidenceView(
                id=int(item["id"]),
                field=ref,
                label=f"{_field_label(definition, ref)}, file {counters[ref]} ({FILE_TYPES.get(kind, kind)})",
                type=kind,
                size=int(item.get("size", 0)),
                download_path=reverse(
                    "api-v1:reviews_evidence", kwargs={"assignment_id": assignment_id, "evidence_id": int(item["id"])}
                )
                if available
                else "",
                withheld=int(item["id"]) in withheld,
                student_data=int(item["id"]) in student_data,
            )
        )
    return out


def rubric_view(definition: CredentialDefinition) -> dict[str, Any]:
    """The rubric as the scoring and calibration forms show it: levels, passing level, descriptors."""
    rubric = definition.rubric
    return {
        "levels": [{"id": level.id, "label": level.label} for level in rubric.levels],
        "passing_level": rubric.passing_level,
        "passing_levels": rubric.passing_levels(),
        "note": rubric.note or "",
        "criteria": [
            {
                "id": c.id,
                "part": c.part,
                "title": c.title,
                "description": c.description or "",
                "descriptors": [
                    {"level": level.id, "label": level.label, "text": c.descriptors[level.id]}
                    for level in rubric.levels
                ],
            }
            for c in rubric.criteria
        ],
    }


def _self_evaluation(
    definition: CredentialDefinition, ratings: dict[str, Any], redact: Redactor
) -> list[dict[str, Any]]:
    labels = {level.id: level.label for level in definition.rubric.levels}
    out = []
    for criterion in definition.rubric.criteria:
        rating = ratings.get(criterion.id)
        if not isinstance(rating, dict):
            continue
        level = rating.get("level")
        out.append(
            {
                "criterion": criterion.id,
                "title": criterion.title,
                "level": level,
                "level_label": labels.get(str(level), ""),
                "justification": redact.value(rating.get("justification") or ""),
            }
        )
    return out


def _diff(
    previous: Attempt, current: Attempt, definition: CredentialDefinition, redact: Redactor
) -> tuple[list[FieldChange], list[FieldChange]]:
    changes = []
    for part in definition.parts:
        for spec in part.fields:
            if spec.kind == "file":
                continue
            ref = f"{part.id}.{spec.id}"
            before = _strip_ids(previous.responses.get(part.id, {}).get(spec.id))
            after = _strip_ids(current.responses.get(part.id, {}).get(spec.id))
            changes.append(FieldChange(ref, spec.label, before != after, redact.value(before), redact.value(after)))
    ratings = []
    for criterion in definition.rubric.criteria:
        before = previous.self_evaluation.get(criterion.id)
        after = current.self_evaluation.get(criterion.id)
        if before is None and after is None:
            continue
        ratings.append(
            FieldChange(criterion.id, criterion.title, before != after, redact.value(before), redact.value(after))
        )
    return changes, ratings


def _confirmations(definition: CredentialDefinition, attempt: Attempt) -> list[EntryConfirmation]:
    lists = attested_lists(definition)
    if not lists:
        return []
    confirmed = attempt_confirmed_entries(attempt=attempt)
    out = []
    for ref, _spec in lists:
        part_id, _dot, field_id = ref.partition(".")
        for position, entry in filled_entries(attempt.responses.get(part_id, {}).get(field_id)):
            out.append(EntryConfirmation(ref, position, entry.get("id") in confirmed.get(ref, set())))
    return out


def attempt_get_for_reviewer(*, user: Viewer | None, assignment_id: int) -> ReviewerAttemptView:
    """The attempt behind one of the reviewer's assignments, anonymised (see reviews.anonymise), with the
    rubric, the evidence (by field, never by file name), the self-evaluation, any copy finding, the
    reviewer's own scores and, for a resubmission, the field-by-field changes and the earlier feedback."""
    assignment = assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    attempt = assignment.attempt
    # Its titles and labels as the reviewer's pages name them: in their language where the program has a translation.
    definition = definition_shown(attempt.version.spec)
    redact = Redactor(attempt.submission.educator)
    available = not Decision.objects.filter(attempt=attempt).exists() or appeal_files_open(assignment)
    review = Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
    my_scores = (
        {
            s.criterion: {"level": s.level, "reasoning": s.reasoning, "suggestion": s.suggestion}
            for s in review.scores.all()
        }
        if review is not None
        else {}
    )
    findings = [
        CopyFindingView(f.field_ref, _field_label(definition, f.field_ref), round(f.overlap, 3))
        for f in CopyFinding.objects.filter(attempt=attempt).order_by("-overlap")
    ]
    resubmission = None
    previous = (
        Attempt.objects.filter(submission_id=attempt.submission_id, number__lt=attempt.number, decision__isnull=False)
        .select_related("decision", "version")
        .order_by("-number")
        .first()
    )
    if previous is not None:
        changes, ratings = _diff(previous, attempt, definition, redact)
        before = {item.get("sha256") for item in previous.evidence_manifest}
        after = {item.get("sha256") for item in attempt.evidence_manifest}
        previous_views = _evidence(definition, previous.evidence_manifest, assignment.pk, available=False)
        resubmission = Resubmission(
            previous_number=previous.number,
            changes=changes,
            self_evaluation_changes=ratings,
            evidence_added=[
                view
                for view, item in zip(
                    _evidence(definition, attempt.evidence_manifest, assignment.pk, available=available),
                    attempt.evidence_manifest,
                    strict=True,
                )
                if item.get("sha256") not in before
            ],
            evidence_removed=[
                view.label
                for view, item in zip(previous_views, previous.evidence_manifest, strict=True)
                if item.get("sha256") not in after
            ],
            feedback=feedback_from_decision(previous, previous.decision, redact=redact),
        )
    disputed: list[str] = []
    if assignment.seat.role == SeatRole.ADJUDICATOR:
        # The lead is told which criteria are in dispute, never how anyone scored them.
        disputed = _disputed(attempt)
    return ReviewerAttemptView(
        assignment_id=assignment.pk,
        assignment_state=assignment.state,
        due_at=assignment.due_at,
        seat_title=assignment.seat.title,
        adjudicator=assignment.seat.role == SeatRole.ADJUDICATOR,
        credential=definition.title,
        issuer=definition.issuer.name,
        attempt_number=attempt.number,
        version=attempt.version.number,
        submitted_at=attempt.submitted_at,
        grade_band=attempt.grade_band,
        parts=parts_view(definition, attempt.responses, redact),
        self_evaluation=_self_evaluation(definition, attempt.self_evaluation, redact),
        evidence=_evidence(definition, attempt.evidence_manifest, assignment.pk, available=available),
        copy_findings=findings,
        rubric=rubric_view(definition),
        my_review_state=review.state if review is not None else None,
        my_scores=my_scores,
        resubmission=resubmission,
        disputed=disputed,
        evidence_available=available,
        evidence_notice="" if available else str(EVIDENCE_ENDED),
        confirmations=_confirmations(definition, attempt),
        appeal_reasons=appeal_reasons_for_reviewer(assignment=assignment, redact=redact),
    )


def _disputed(attempt: Attempt) -> list[str]:
    definition = attempt.version.spec
    inputs, _ = decision_inputs(attempt=attempt)
    panel = [i for i in inputs if i.role == "panel"]
    return list(policy.decide(definition.review_policy, definition.rubric, panel).disputed)


def evidence_get_for_reviewer(*, user: Viewer | None, assignment_id: int, evidence_id: int) -> tuple[Evidence, Attempt]:
    """A file of the undecided attempt behind one of the reviewer's live assignments, with that attempt; 404
    otherwise, saying why once the decision is made (the reviewer's need for the files ended with it)."""
    assignment = assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    item = Evidence.objects.select_related("submission").filter(pk=evidence_id, attempts=assignment.attempt_id).first()
    if item is None:
        raise Http404("no such file")
    if Decision.objects.filter(attempt_id=assignment.attempt_id).exists() and not appeal_files_open(assignment):
        raise NotFound(str(EVIDENCE_ENDED))
    return item, assignment.attempt
