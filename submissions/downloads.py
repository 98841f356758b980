"""Serving an evidence file, the one way every page and endpoint does it."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from accounts.models import User
from core.audit import audit_record
from core.errors import MicrocredError, NotFound
from submissions.models import Attempt, Evidence, ReviewerCopy
from submissions.selectors import evidence_deletion_message
from submissions.services import evidence_reviewer_copy_make

WITHHELD = (
    "This file could not be cleaned of details that could identify the candidate, so it is withheld from "
    "reviewers; review the attempt from its other evidence and answers."
)


class EvidenceGone(MicrocredError):
    """The file was deleted (retention, account deletion); its row stays, and the message says when and why."""

    status_code = 410


def evidence_file_response(
    *, item: Evidence, viewer: User | AnonymousUser, attempt: Attempt | None = None
) -> FileResponse:
    """The file as an attachment, typed by its content and never sniffed into HTML.

    Its owner gets the file exactly as uploaded, under its original name. Everyone else (a reviewer) gets the
    reviewer's copy, without the details that name its maker (submissions.scrub), under a name made from the
    evidence id and its type: a name like "Ms Rivera period 3 roster.xlsx" would tell a reviewer who the
    candidate is. A file stored before copies were made gets its copy now; one that could not be cleaned is
    never served to anyone but its owner (NotFound, saying why).
    Call this only with an item a selector has already cleared for `viewer`, and for anyone but the owner with
    the `attempt` it was cleared through: every such opening is recorded in the audit log ("evidence.viewed",
    with the viewer, the attempt's issuer and the file), so an issuer can see who opened a candidate's files.
    """
    owner = viewer.is_authenticated and item.submission.educator_id == viewer.pk
    if not item.file.name:  # deleted (retention, account deletion): say so and when, instead of a broken file
        raise EvidenceGone(evidence_deletion_message(item, owner=owner))
    if owner:
        return _response(item.file, item, filename=item.original_name)
    if attempt is None or not isinstance(viewer, User):
        raise NotFound("no such file")
    if item.reviewer_copy == ReviewerCopy.PENDING:
        item = evidence_reviewer_copy_make(evidence=item)
    if item.reviewer_copy not in (ReviewerCopy.CLEANED, ReviewerCopy.SAME) or not item.reviewer_file.name:
        raise NotFound(WITHHELD)
    extension = {"image": item.detail, "audio": item.detail}.get(item.detected_type, item.detected_type)
    response = _response(item.reviewer_file, item, filename=f"evidence-{item.pk}.{extension}")
    # Recorded once the file is known to be there; a GET writing a row is the price of knowing who looked.
    audit_record(
        action="evidence.viewed",
        subject=attempt,
        actor=viewer,
        issuer_id=attempt.submission.credential.issuer_id,
        data={"evidence": item.pk, "field": item.field_ref, "student_data": item.has_student_data},
    )
    return response


def _response(stored: FieldFile, item: Evidence, *, filename: str) -> FileResponse:
    try:
        stream = stored.open("rb")
    except FileNotFoundError:
        raise Http404("the stored file is missing") from None
    response = FileResponse(stream, as_attachment=True, filename=filename)
    response["Content-Type"] = item.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
