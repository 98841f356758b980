"""An attempt's evidence files as its issuer's admins may open them, from the attempt's record page.

Admins need them to handle a complaint or an override after the decision, so they may open them at any time,
but never a file the educator marked as containing students' names, faces or voices (nor one uploaded before
the question was asked): the educator's school consented to sharing those with the attempt's reviewers, for
the review, and with nobody else. Every opening is recorded in the audit log (submissions.downloads), which
the same record page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse

from catalog.schema import FILE_TYPES
from core.errors import NotFound
from reviews.selectors.access import Viewer
from reviews.selectors.admin_objects import attempt_get_for_admin
from submissions.models import Attempt, Evidence

# Said in place of the link, and as the 404's message to anyone who follows an old one.
STUDENT_DATA_ADMIN = (
    "This file contains students' names, faces or voices: only the reviewers assigned to the attempt may "
    "open it, and only while it is in review."
)
WITHHELD_ADMIN = "This file could not be cleaned of the details that name its maker, so only its owner may open it."


@dataclass(frozen=True)
class AdminEvidenceView:
    id: int
    label: str  # "Lesson materials, file 2 (PDF document)"
    size: int
    student_data: bool
    download_path: str  # "" when admins may not open it; `note` says why
    note: str


def evidence_for_admin(*, attempt: Attempt) -> list[AdminEvidenceView]:
    """The files of an attempt an admin has already been cleared for (attempt_get_for_admin), in the attempt's
    order, each with a link or the reason it has none."""
    definition = attempt.version.spec
    rows = {item.pk: item for item in Evidence.objects.filter(attempts=attempt)}
    counters: dict[str, int] = {}
    out = []
    for entry in attempt.evidence_manifest:
        item = rows.get(int(entry["id"]))
        if item is None:
            continue
        counters[item.field_ref] = counters.get(item.field_ref, 0) + 1
        try:
            field_label = definition.field_at(item.field_ref).label
        except ValueError:
            field_label = item.field_ref
        note = STUDENT_DATA_ADMIN if item.has_student_data else WITHHELD_ADMIN if item.withheld else ""
        out.append(
            AdminEvidenceView(
                id=item.pk,
                label=f"{field_label}, file {counters[item.field_ref]} "
                f"({FILE_TYPES.get(item.detected_type, item.detected_type)})",
                size=item.size,
                student_data=item.has_student_data,
                download_path=""
                if note
                else reverse("reviews:attempt_evidence", kwargs={"attempt_id": attempt.pk, "evidence_id": item.pk}),
                note=note,
            )
        )
    return out


def evidence_get_for_admin(*, user: Viewer | None, attempt_id: int, evidence_id: int) -> tuple[Evidence, Attempt]:
    """A file of an attempt of one of the admin's issuers, with that attempt; 404 for anyone else, for a file not
    in the attempt, and (saying why) for a file holding student data."""
    attempt = attempt_get_for_admin(user=user, attempt_id=attempt_id)
    item = Evidence.objects.select_related("submission").filter(pk=evidence_id, attempts=attempt).first()
    if item is None:
        raise Http404("no such file")
    if item.has_student_data:
        raise NotFound(STUDENT_DATA_ADMIN)
    return item, attempt
