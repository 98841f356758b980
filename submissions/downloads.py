"""Serving an evidence file, the one way every page and endpoint does it."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, Http404

from accounts.models import User
from submissions.models import Evidence


def evidence_file_response(*, item: Evidence, viewer: User | AnonymousUser) -> FileResponse:
    """The file as an attachment, typed by its content and never sniffed into HTML.

    Only its owner gets the original file name back: a name like "Ms Rivera period 3 roster.xlsx" would tell
    a reviewer who the candidate is, so everyone else gets one made from the evidence id and its type.
    Call this only with an item a selector has already cleared for `viewer`.
    """
    try:
        stream = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("the stored file is missing") from None
    if viewer.is_authenticated and item.submission.educator_id == viewer.pk:
        filename = item.original_name
    else:
        extension = {"image": item.detail, "audio": item.detail}.get(item.detected_type, item.detected_type)
        filename = f"evidence-{item.pk}.{extension}"
    response = FileResponse(stream, as_attachment=True, filename=filename)
    response["Content-Type"] = item.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
