"""The paths notifications link to.

The reviewer and issuer-admin pages (pages/reviews/urls.py, mounted at /reviews/) serve these paths;
they are written once here so the notifications this app sends point at them. The educator's pages are
reversed by name.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from catalog.models import Credential
from submissions.models import Attempt


def assignment_path(assignment_id: int) -> str:
    return f"/reviews/assignments/{assignment_id}/"


def reviewer_queue_path() -> str:
    return "/reviews/"


def calibration_path(credential_slug: str) -> str:
    return f"/reviews/calibration/{credential_slug}/"


def pipeline_path() -> str:
    return "/reviews/admin/"


def attempt_path(attempt: Attempt) -> str:
    """The educator's page of one attempt (where the feedback is shown)."""
    try:
        return reverse("submissions:attempt", kwargs={"submission_id": attempt.submission_id, "number": attempt.number})
    except NoReverseMatch:  # pragma: no cover - only while the submissions pages are not mounted
        return f"/submissions/{attempt.submission_id}/attempts/{attempt.number}/"


def coaching_path(credential: Credential) -> str:
    """Where an educator who has used every attempt is pointed: the credential's resources."""
    spec = credential.current_version.spec if credential.current_version else None
    anchor = "#section-resources" if spec is not None and spec.resources else ""
    return reverse("catalog:detail", kwargs={"slug": credential.slug}) + anchor
