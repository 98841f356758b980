"""A credential's versions, what changed between two texts, and its draft markers with their sign-off, at
/api/v1/issuers/<issuer>/credentials/<credential>/: the same selectors and service as the pages, for the
credential's issuer's admins and platform admins (404 for anyone else; 401 without a session or token)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from api.auth import request_user, session_or_token
from api.common import Slug, errors
from authoring import history
from authoring.diff import definition_diff, yaml_diff
from authoring.selectors import credential_get_for_author
from authoring.services.signoff import marker_signoff

router = Router(auth=session_or_token)

BASE = "/{slug}/credentials/{credential}"


class AuthoredVersionOut(Schema):
    number: int
    content_hash: str
    loaded_at: datetime
    source_name: str
    published_by: str | None = Field(None, description="Who published it in the browser; null when loaded from a file")
    is_current: bool


class ChangeOut(Schema):
    path: str = Field(
        description='Where in the definition, list items by id: "parts.planning.fields.narrative.max_words"'
    )
    kind: str = Field(description="added, removed, changed or reordered")
    old: Any = None
    new: Any = None


class DiffOut(Schema):
    old: str = Field(description='A version number, or "draft"')
    new: str
    changes: list[ChangeOut]
    unified: str = Field(description="The unified diff of the two definitions as YAML")


class MarkerOut(Schema):
    path: str
    label: str
    status: str = Field(description="open, signed_off (in the draft) or published (removed in a version)")
    signed_by: str | None = None
    signed_at: datetime | None = None
    published_version: int | None = None


class SignoffIn(Schema):
    model_config = ConfigDict(extra="forbid")
    marker: str = Field(max_length=300, description="The marker's path, as the markers list gives it")


@router.get(
    f"{BASE}/versions", response={200: list[AuthoredVersionOut], **errors(401, 404, 422)}, url_name="authoring_versions"
)
def versions(request: HttpRequest, slug: Slug, credential: Slug) -> list[dict[str, Any]]:
    """Every version of the credential, newest first."""
    found = credential_get_for_author(user=request_user(request), slug=slug, credential=credential)
    return [
        {
            "number": row.number,
            "content_hash": row.content_hash,
            "loaded_at": row.loaded_at,
            "source_name": row.source_name,
            "published_by": row.author.email if row.author else None,
            "is_current": row.is_current,
        }
        for row in history.versions_list(credential=found)
    ]


@router.get(f"{BASE}/versions/diff", response={200: DiffOut, **errors(401, 404, 422)}, url_name="authoring_diff")
def diff(request: HttpRequest, slug: Slug, credential: Slug, old: str = "", new: str = "") -> dict[str, Any]:
    """What changed from `old` to `new` (version numbers, or "draft"); by default from the current version to the
    draft, else from the version before the current one."""
    found = credential_get_for_author(user=request_user(request), slug=slug, credential=credential)
    pair = history.default_pair(credential=found)
    before = history.text_get(credential=found, key=old[:20] or (pair[0] if pair else ""))
    after = history.text_get(credential=found, key=new[:20] or (pair[1] if pair else ""))
    lines = yaml_diff(before.definition, after.definition, old_name=before.name, new_name=after.name)
    marks = {"added": "+", "removed": "-", "context": " ", "hunk": ""}
    return {
        "old": before.key,
        "new": after.key,
        "changes": [
            {"path": c.path, "kind": c.kind, "old": c.old, "new": c.new}
            for c in definition_diff(before.definition, after.definition)
        ],
        "unified": "\n".join(marks[line.kind] + line.text for line in lines),
    }


def _marker_out(row: history.MarkerRow) -> dict[str, Any]:
    signoff = row.signoff
    if signoff is None:
        return {"path": row.path, "label": row.label, "status": "open"}
    return {
        "path": row.path,
        "label": row.label,
        "status": "published" if signoff.published_version else "signed_off",
        "signed_by": signoff.signed_by.email,
        "signed_at": signoff.signed_at,
        "published_version": signoff.published_version.number if signoff.published_version else None,
    }


@router.get(f"{BASE}/markers", response={200: list[MarkerOut], **errors(401, 404, 422)}, url_name="authoring_markers")
def markers(request: HttpRequest, slug: Slug, credential: Slug) -> list[dict[str, Any]]:
    """The draft markers still open in the working text, then every sign-off, newest first."""
    found = credential_get_for_author(user=request_user(request), slug=slug, credential=credential)
    return [_marker_out(row) for row in history.markers_rows(credential=found)]


@router.post(
    f"{BASE}/markers/signoff",
    response={200: MarkerOut, **errors(400, 401, 403, 404, 409, 413, 422)},
    url_name="authoring_marker_signoff",
)
def signoff(request: HttpRequest, slug: Slug, credential: Slug, payload: SignoffIn) -> dict[str, Any]:
    """Sign off one open marker: it leaves the draft (started from the current version if none is open) and is
    recorded with who and when; 422 naming `marker` when the draft has no such marker."""
    user = request_user(request)
    found = credential_get_for_author(user=user, slug=slug, credential=credential)
    done = marker_signoff(actor=user, credential=found, marker=payload.marker)
    return _marker_out(history.MarkerRow(done.marker, done.label, done))
