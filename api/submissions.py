"""The submissions API at /api/v1/submissions: the same services the pages call, for API clients.

Thin on purpose: each endpoint resolves its objects through a selector (404 for anyone but the owner),
calls one service and shapes the answer. The services' refusals (submissions.errors) become 4xx
answers in api.api's exception handlers, each naming the field and what to do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from api.auth import object_auth, request_user, session_or_token
from api.common import (
    FILE_DOC,
    Answer,
    FindingOut,
    Id,
    Pagination,
    StrictCount,
    StrictIn,
    errors,
    prefer_minimal_doc,
    prefers_minimal,
    rendered,
)
from catalog.models import Credential
from catalog.schema import FileField
from core.errors import FieldError, FileTooLarge, InvalidInput, NotFound
from submissions import selectors, services
from submissions.downloads import evidence_file_response
from submissions.models import Attempt, AttemptStatus, Evidence, Submission
from submissions.models import Status as SubmissionStatus
from workflow import selectors as workflow_selectors
from workflow import services as workflow

# Every route is about one object (404 when anonymous) except the list and create, which say 401.
router = Router(auth=object_auth)

# Multipart framing and the field name add a little to the file itself.
UPLOAD_OVERHEAD = 64 * 1024


class CreateIn(StrictIn):
    credential: str


class ResponsesIn(StrictIn):
    base_revision: StrictCount
    responses: dict[str, Any] = {}
    self_evaluation: dict[str, Any] = {}


class CredentialRef(Answer):
    slug: str
    title: str
    issuer: str


class EvidenceOut(Answer):
    id: int
    field: str
    name: str
    type: str
    detail: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime | None = None
    download_url: str
    # Said of a draft's files; an attempt's frozen list leaves them empty.
    reviewer_copy: str = Field(
        "",
        description="what reviewers get: `cleaned` (a copy without the details that name you), `same` (the file "
        "itself: text has none), `withheld` (it could not be cleaned, so they cannot open it), `pending`",
    )
    reviewer_copy_removed: list[str] = Field(
        default_factory=list, description="what the reviewers' copy leaves out, in words"
    )
    notice: str = Field("", description="for a withheld file, what to do about it; empty otherwise")
    student_data: bool | None = Field(
        None,
        description="your answer at upload: it contains students' names, faces or voices (null: uploaded before "
        "the question, handled as yes); such a file reaches only the reviewers of an attempt in review",
    )


class AttemptSummary(Answer):
    number: int
    status: str
    status_label: str
    submitted_at: datetime
    version: int


class AttemptOut(AttemptSummary):
    content_hash: str
    grade_band: str
    responses: dict[str, Any]
    self_evaluation: dict[str, Any]
    evidence: list[EvidenceOut]


class SubmissionOut(Answer):
    id: int
    credential: CredentialRef
    version: int
    status: str
    status_label: str
    editable: bool
    next_step: str
    revision: int
    responses: dict[str, Any]
    self_evaluation: dict[str, Any]
    first_written_at: dict[str, str]
    evidence: list[EvidenceOut]
    attempts: list[AttemptSummary]
    created_at: datetime
    updated_at: datetime


class DraftSavedOut(Answer):
    """A save's answer when the request asks `Prefer: return=minimal` (RFC 7240), as the submission page's autosave
    does: the draft as saved, without the files and attempts that a save of text cannot change."""

    id: int
    status: str
    revision: int
    responses: dict[str, Any]
    self_evaluation: dict[str, Any]
    first_written_at: dict[str, str]
    updated_at: datetime


class SubmissionRow(Schema):
    """A dashboard row; resolved from the list selector's rows, which already hold everything (one query)."""

    id: int
    credential: CredentialRef
    status: str
    status_label: str
    attempt: int | None
    next_step: str
    updated_at: datetime

    @staticmethod
    def resolve_credential(obj: Submission) -> dict[str, str]:
        return _credential(obj)

    @staticmethod
    def resolve_updated_at(obj: Submission) -> datetime:
        return obj.last_saved_at()

    @staticmethod
    def resolve_status_label(obj: Submission) -> str:
        return str(SubmissionStatus(obj.status).label)

    @staticmethod
    def resolve_attempt(obj: Submission) -> int | None:
        return getattr(obj, "latest_attempt", None)

    @staticmethod
    def resolve_next_step(obj: Submission) -> str:
        return selectors.next_step(obj)


class CheckOut(Schema):
    ready: bool
    findings: list[FindingOut]


class EventOut(Schema):
    kind: str
    label: str
    at: datetime
    old_status: str
    new_status: str
    attempt: int | None


def _file_url(evidence_id: int) -> str:
    return reverse("api-v1:submission_evidence_file", kwargs={"evidence_id": evidence_id})


def _evidence_out(item: Evidence) -> dict[str, Any]:
    return {
        **item.manifest(),
        "uploaded_at": item.uploaded_at,
        "download_url": _file_url(item.pk),
        "reviewer_copy": item.reviewer_copy,
        "reviewer_copy_removed": item.reviewer_copy_removed,
        "notice": item.owner_notice(),
        "student_data": item.student_data,
    }


def _credential(submission: Submission) -> dict[str, str]:
    credential = submission.credential
    return {"slug": credential.slug, "title": credential.title, "issuer": credential.issuer.name}


def _attempt_summary(attempt: Attempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "status": attempt.status,
        "status_label": str(AttemptStatus(attempt.status).label),
        "submitted_at": attempt.submitted_at,
        "version": attempt.version.number,
    }


def _attempt_out(attempt: Attempt) -> dict[str, Any]:
    return {
        **_attempt_summary(attempt),
        "content_hash": attempt.version.content_hash,
        "grade_band": attempt.grade_band,
        "responses": attempt.responses,
        "self_evaluation": attempt.self_evaluation,
        "evidence": [{**item, "download_url": _file_url(item["id"])} for item in attempt.evidence_manifest],
    }


def _submission_out(submission: Submission) -> dict[str, Any]:
    draft = submission.draft
    return {
        "id": submission.pk,
        "credential": _credential(submission),
        "version": submission.version.number,
        "status": submission.status,
        "status_label": str(SubmissionStatus(submission.status).label),
        "editable": submission.is_editable,
        "next_step": selectors.next_step(submission),
        "revision": draft.revision,
        "responses": draft.responses,
        "self_evaluation": draft.self_evaluation,
        "first_written_at": draft.first_written_at,
        "evidence": [_evidence_out(item) for item in selectors.submission_evidence(submission=submission)],
        "attempts": [_attempt_summary(a) for a in selectors.submission_attempt_summaries(submission=submission)],
        "created_at": submission.created_at,
        "updated_at": submission.last_saved_at(),
    }


def _mine(request: HttpRequest, submission_id: int) -> Submission:
    return selectors.submission_get_for_educator(user=request_user(request), submission_id=submission_id)


@router.get(
    "", response={200: list[SubmissionRow], **errors(401, 422)}, url_name="submission_list", auth=session_or_token
)
@paginate(Pagination)
def list_submissions(request: HttpRequest) -> QuerySet[Submission]:
    """My submissions, most recently saved first (paginated with limit and offset)."""
    return selectors.submissions_list_for_educator(user=request_user(request))


@router.post(
    "",
    response={201: SubmissionOut, **errors(400, 401, 403, 404, 409, 413, 422)},
    url_name="submission_create",
    auth=session_or_token,
)
def create_submission(request: HttpRequest, payload: CreateIn) -> Status[dict[str, Any]]:
    """Start a draft for a credential (by slug). One submission per credential at a time: 409, naming the
    submission to continue, while one is open or once the credential is earned (unless its definition allows
    a renewal and the time for it has come)."""
    credential = get_object_or_404(Credential, slug=payload.credential, is_published=True)
    submission, _ = services.submission_start(educator=request_user(request), credential=credential)
    return Status(201, _submission_out(_mine(request, submission.pk)))


@router.get("/{submission_id}", response={200: SubmissionOut, **errors(404, 422)}, url_name="submission_detail")
def get_submission(request: HttpRequest, submission_id: Id) -> dict[str, Any]:
    return _submission_out(_mine(request, submission_id))


@router.patch(
    "/{submission_id}/responses",
    response={200: SubmissionOut | DraftSavedOut, **errors(400, 403, 404, 409, 413, 422)},
    url_name="submission_responses",
    openapi_extra=prefer_minimal_doc("the draft as saved (DraftSavedOut) rather than the whole submission"),
)
def save_responses(
    request: HttpRequest, response: HttpResponse, submission_id: Id, payload: ResponsesIn
) -> SubmissionOut | HttpResponse:
    """Save changed fields. 409 with both versions of each field changed elsewhere since base_revision. With
    `Prefer: return=minimal` the answer is the draft alone (revision, responses, self-evaluation)."""
    # One locked read finds the submission, checks its owner and brings what the answer names: the page saves
    # on every pause in typing, so reading the submission before locking it would double its cost.
    try:
        submission = services.draft_autosave(
            submission_id=submission_id,
            actor=request_user(request),
            base_revision=payload.base_revision,
            changes=payload.responses,
            self_evaluation=payload.self_evaluation,
        )
    except NotFound:
        # The answer every other route gives a submission its caller may not see (selectors' Http404).
        raise Http404("no such submission") from None
    # Which answer depends on the header: a cache between the client and the API must key on it.
    patch_vary_headers(response, ("Prefer",))
    if prefers_minimal(request):
        response["Preference-Applied"] = "return=minimal"
        draft = submission.draft
        # DraftSavedOut's fields, from the draft as saved.
        return rendered(
            request,
            response,
            {
                "id": submission.pk,
                "status": submission.status,
                "revision": draft.revision,
                "responses": draft.responses,
                "self_evaluation": draft.self_evaluation,
                "first_written_at": draft.first_written_at,
                "updated_at": submission.last_saved_at(),
            },
        )
    return SubmissionOut.model_validate(_submission_out(submission))


@router.get("/{submission_id}/check", response={200: CheckOut, **errors(404, 422)}, url_name="submission_check")
def check_submission(request: HttpRequest, submission_id: Id) -> dict[str, Any]:
    findings = services.completeness_check(submission=_mine(request, submission_id))
    return {"ready": not any(f.severity == "blocking" for f in findings), "findings": [f.as_dict() for f in findings]}


@router.post(
    "/{submission_id}/evidence",
    response={201: EvidenceOut, **errors(400, 403, 404, 409, 413, 422)},
    url_name="submission_evidence_add",
    openapi_extra={
        "parameters": [{"in": "query", "name": "field", "required": True, "schema": {"type": "string"}}],
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "student_data": {
                                "type": "boolean",
                                "description": "Does the file contain any students' names, faces or voices?",
                            },
                            "student_data_consent": {
                                "type": "boolean",
                                "description": "With student_data true: the school's consent covers sharing it "
                                "with the submission's reviewers.",
                            },
                        },
                        "required": ["file", "student_data"],
                    }
                }
            },
            "required": True,
        },
    },
)
def add_evidence(request: HttpRequest, submission_id: Id) -> Status[dict[str, Any]]:
    """Upload one file (multipart, part "file") to the file field named by the `field` query parameter, with
    the parts "student_data" (true or false: does it contain students' names, faces or voices?) and, with true,
    "student_data_consent" (true: the school's consent covers sharing it with the reviewers)."""
    submission = _mine(request, submission_id)
    field_ref = request.GET.get("field", "")
    try:
        spec = submission.version.spec.field_at(field_ref)
    except ValueError:
        raise InvalidInput(
            [FieldError(field_ref or "field", "name the file field as ?field=part_id.field_id")]
        ) from None
    if not isinstance(spec, FileField) or field_ref.count(".") != 1:
        raise InvalidInput([FieldError(field_ref, f"{spec.label} does not take files")])
    # Refuse an oversized upload from its declared length, before the body is read and spooled to disk.
    declared = request.META.get("CONTENT_LENGTH") or "0"
    size = int(declared) if declared.isdigit() else 0
    if size > spec.max_size_mb * 1024 * 1024 + UPLOAD_OVERHEAD:
        raise FileTooLarge(
            [
                FieldError(
                    field_ref,
                    f"{spec.label}: the upload is {size / 2**20:.1f} MB; the most this field "
                    f"takes is {spec.max_size_mb:g} MB per file",
                )
            ]
        )
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput([FieldError("file", 'attach the file as the multipart part named "file"')])
    item = services.evidence_add(
        submission=submission,
        actor=request_user(request),
        field_ref=field_ref,
        upload=upload,
        student_data=_yes_no(request, services.STUDENT_DATA),
        student_data_consent=_yes_no(request, services.STUDENT_DATA_CONSENT) is True,
    )
    return Status(201, _evidence_out(item))


def _yes_no(request: HttpRequest, name: str) -> bool | None:
    """A multipart part read as a boolean; None when it is absent or empty (the service says what is missing)."""
    raw = (request.POST.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in ("true", "yes", "1", "on"):
        return True
    if raw in ("false", "no", "0", "off"):
        return False
    raise InvalidInput.on(name, f"{name} must be true or false")


@router.delete(
    "/{submission_id}/evidence/{evidence_id}",
    response={204: None, **errors(403, 404, 409, 422)},
    url_name="submission_evidence_remove",
)
def remove_evidence(request: HttpRequest, submission_id: Id, evidence_id: Id) -> Status[None]:
    submission = _mine(request, submission_id)
    item = selectors.evidence_get_for_owner(user=request_user(request), evidence_id=evidence_id)
    if item.submission_id != submission.pk or not item.in_draft:
        raise Http404("no such file in this draft")
    services.evidence_remove(evidence=item, actor=request_user(request))
    return Status(204, None)


@router.get(
    "/evidence/{evidence_id}/file",
    response={200: None, **errors(404, 410, 422)},
    openapi_extra=FILE_DOC,
    url_name="submission_evidence_file",
)
def download_evidence(request: HttpRequest, evidence_id: Id) -> FileResponse:
    """The file itself, always as an attachment with the type found by content, never rendered inline; 410 once
    it has been deleted (under the retention policy), saying when."""
    viewer = request_user(request)
    item, attempt = workflow_selectors.evidence_get_for_user(user=viewer, evidence_id=evidence_id)
    return evidence_file_response(item=item, viewer=viewer, attempt=attempt)


@router.post(
    "/{submission_id}/submit",
    response={201: AttemptOut, **errors(403, 404, 409, 422)},
    url_name="submission_submit",
)
def submit(request: HttpRequest, submission_id: Id) -> Status[dict[str, Any]]:
    """Freeze the draft into an attempt; 422 with the findings while any blocking one stands."""
    attempt = workflow.attempt_submit(submission=_mine(request, submission_id), actor=request_user(request))
    return Status(201, _attempt_out(attempt))


@router.get(
    "/{submission_id}/attempts/{number}", response={200: AttemptOut, **errors(404, 422)}, url_name="submission_attempt"
)
def get_attempt(request: HttpRequest, submission_id: Id, number: Id) -> dict[str, Any]:
    return _attempt_out(
        selectors.attempt_get_for_educator(user=request_user(request), submission_id=submission_id, number=number)
    )


@router.post(
    "/{submission_id}/attempts/{number}/withdraw",
    response={200: AttemptOut, **errors(403, 404, 409, 422)},
    url_name="submission_attempt_withdraw",
)
def withdraw(request: HttpRequest, submission_id: Id, number: Id) -> dict[str, Any]:
    """Take back a submitted attempt before its review starts (409 afterwards)."""
    attempt = selectors.attempt_get_for_educator(user=request_user(request), submission_id=submission_id, number=number)
    return _attempt_out(services.attempt_withdraw(attempt=attempt, actor=request_user(request)))


@router.get("/{submission_id}/events", response={200: list[EventOut], **errors(404, 422)}, url_name="submission_events")
def events(request: HttpRequest, submission_id: Id) -> list[dict[str, Any]]:
    """The status timeline, oldest first."""
    submission = _mine(request, submission_id)
    return [
        {
            "kind": e.kind,
            "label": e.label,
            "at": e.at,
            "old_status": e.old_status,
            "new_status": e.new_status,
            "attempt": e.attempt_number,
        }
        for e in selectors.submission_events(submission=submission)
    ]
