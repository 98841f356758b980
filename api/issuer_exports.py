"""An issuer admin's exports and bulk actions at /api/v1/issuers/<slug>/: the same files as the Exports page
(workflow.exports, streamed past a few hundred rows) and the pipeline's bulk actions (reviews.services.bulk), with
the same permissions: the issuer's admins and platform admins; anyone else signed in gets 404, anonymous 401.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from annotated_types import Ge, Le, MaxLen, MinLen
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Query, Router, Schema
from pydantic import ConfigDict

from api.auth import request_user, session_or_token
from api.common import Slug, StrictId, errors
from reviews.selectors import issuer_get_for_admin
from reviews.selectors.bulk import MAX_ATTEMPTS
from reviews.services.bulk import MAX_EXTEND_DAYS, bulk_run
from workflow.export_files import export_response
from workflow.exports import EXPORTS, ExportFilters, export_table, exports_issuer_get

router = Router(auth=session_or_token)

ExportName = Literal["submissions", "scores", "decisions", "awards", "credit-applications"]
assert set(ExportName.__args__) == set(EXPORTS)  # type: ignore[attr-defined]


class ExportQuery(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    date_from: date | None = None
    date_to: date | None = None
    credential: Slug | None = None
    version: Annotated[int, Ge(1), Le(100_000)] | None = None


class ExportOut(Schema):
    name: str
    title: str
    description: str
    date_filtered: str
    columns: list[str]
    formats: list[str]


class BulkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["extend", "reassign", "remind"]
    attempts: Annotated[list[StrictId], MinLen(1), MaxLen(MAX_ATTEMPTS)]
    days: Annotated[int, Ge(1), Le(MAX_EXTEND_DAYS)] | None = None  # for extend
    to_reviewer: str | None = None  # for reassign: the reviewer's email address
    reason: str = ""  # for reassign
    preview: bool = False  # true: say what would happen and change nothing


class BulkLineOut(Schema):
    attempt: int
    candidate: str
    reviewer: str
    done: bool
    detail: str


class BulkOut(Schema):
    action: str
    applied: bool
    done: int
    refused: int
    lines: list[BulkLineOut]


@router.get("/{slug}/exports", response={200: list[ExportOut], **errors(401, 404, 422)}, url_name="issuer_exports")
def exports_list(request: HttpRequest, slug: Slug) -> list[dict[str, object]]:
    """The exports of this issuer and their columns."""
    exports_issuer_get(user=request_user(request), slug=slug)
    return [
        {
            "name": e.name,
            "title": str(e.title),
            "description": str(e.description),
            "date_filtered": str(e.date_label),
            "columns": list(e.headers),
            "formats": ["csv", "xlsx"],
        }
        for e in EXPORTS.values()
    ]


@router.get(
    "/{slug}/exports/{name}",
    response={200: None, **errors(401, 404, 422)},
    openapi_extra={
        "responses": {
            200: {
                "description": "The export as an attachment: CSV (UTF-8 with a byte-order mark) or XLSX. Text that a "
                "spreadsheet would run as a formula (starting with = + - @) starts with an apostrophe.",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
    url_name="issuer_export",
)
def export_file(
    request: HttpRequest, slug: Slug, name: ExportName, query: Query[ExportQuery]
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """One export, filtered by the date range (each export's own date, inclusive), credential and version."""
    filters = ExportFilters(
        date_from=query.date_from, date_to=query.date_to, credential=query.credential, version=query.version
    )
    table = export_table(user=request_user(request), slug=slug, name=name, filters=filters)
    return export_response(table, query.format)


@router.post(
    "/{slug}/bulk",
    response={200: BulkOut, **errors(400, 401, 403, 404, 413, 422)},
    url_name="issuer_bulk",
)
def bulk(request: HttpRequest, slug: Slug, payload: BulkIn) -> dict[str, object]:
    """Extend the deadline of the chosen attempts' open reviews by `days`, move them to `to_reviewer` (with a
    `reason`), or remind their reviewers (at most once a day per review), in one transaction. Every attempt must
    be this issuer's, or nothing is done (404). Each review refused is listed with its reason; `preview` says what
    would happen without changing anything."""
    admin = request_user(request)
    issuer = issuer_get_for_admin(user=admin, slug=slug)
    report = bulk_run(
        admin=admin,
        action=payload.action,
        attempt_ids=payload.attempts,
        days=payload.days,
        to_reviewer=payload.to_reviewer,
        reason=payload.reason,
        issuer_id=issuer.pk,
        apply=not payload.preview,
    )
    return {
        "action": report.action,
        "applied": report.applied,
        "done": len(report.done),
        "refused": len(report.refused),
        "lines": [
            {
                "attempt": line.attempt_id,
                "candidate": line.candidate,
                "reviewer": line.reviewer,
                "done": line.done,
                "detail": line.detail,
            }
            for line in report.lines
        ],
    }
