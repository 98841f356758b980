"""An issuer admin opening one of an attempt's evidence files from its record page (the rules and the audit
record are in reviews.selectors.admin_evidence and submissions.downloads)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from reviews import selectors
from submissions.downloads import evidence_file_response


@login_required
@require_GET
def attempt_evidence(request: HttpRequest, attempt_id: int, evidence_id: int) -> FileResponse:
    item, attempt = selectors.evidence_get_for_admin(user=request.user, attempt_id=attempt_id, evidence_id=evidence_id)
    return evidence_file_response(item=item, viewer=request.user, attempt=attempt)
