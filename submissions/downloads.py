"""Serving an evidence file, the one way every page and endpoint does it."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from accounts.models import User
from core.errors import NotFound
from submissions.models import Evidence, ReviewerCopy
from submissions.services import evidence_reviewer_copy_make

WITHHELD = (
    "This file could not be cleaned of details that could identify the candidate, so it is withheld from "
    "reviewers; review the attempt from its other evidence and answers."
)


def evidence_file_response(*, item: Evidence, viewer: User | AnonymousUser) -> FileResponse:
    """The file as an attachment, typed by its content and never sniffed into HTML.

    Its owner gets the file exactly as uploaded, under its original name. Everyone else (a reviewer) gets the
    reviewer's copy, without the details that name its maker (submissions.scrub), under a name made from the
    evidence id and its type: a name like "Ms Rivera period 3 roster.xlsx" would tell a reviewer who the
    candidate is. A file stored before copies were made gets its copy now; one that could not be cleaned is
    never served to anyone but its owner (NotFound, saying why).
    Call this only with an item a selector has already cleared for `viewer`.
    """
    if viewer.is_authenticated and item.submission.educator_id == viewer.pk:
        return _response(item.file, item, filename=item.original_name)
    if item.reviewer_copy == ReviewerCopy.PENDING:
        item = evidence_reviewer_copy_make(evidence=item)
    if item.reviewer_copy not in (ReviewerCopy.CLEANED, ReviewerCopy.SAME) or not item.reviewer_file.name:
        raise NotFound(WITHHELD)
    extension = {"image": item.detail, "audio": item.detail}.get(item.detected_type, item.detected_type)
    return _response(item.reviewer_file, item, filename=f"evidence-{item.pk}.{extension}")


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
