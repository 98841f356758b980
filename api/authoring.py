"""Authoring as JSON: an issuer admin's drafts of credential definitions, read, replaced, validated, published,
discarded, exported and imported as YAML. The same services and the same access rule as the pages: the issuer's
admins and platform admins; anyone else is answered 404, an anonymous caller 401.

A definition's problems come back as 422 with `errors`, each naming its place as the loader does
(`parts[1].fields[5].max_words`); a stale `revision` is 409 and nothing is saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from api.auth import request_user, session_or_token
from api.common import Count, Id, Slug, StrictIn, errors
from authoring import selectors
from authoring.models import CredentialDraft
from authoring.services.drafts import (
    definition_yaml,
    draft_discard,
    draft_import,
    draft_import_new,
    draft_new,
    draft_problems,
    draft_save,
    draft_start,
)
from core.errors import FieldError, InvalidInput
from workflow.publishing import credential_publish

router = Router(auth=session_or_token)

# A definition is a few hundred kilobytes at most; a body far larger is refused before it is read as YAML.
YamlText = Annotated[str, StringConstraints(min_length=1, max_length=2 * 2**20)]


class DefinitionProblemOut(Schema):
    field: str = Field(description="Where in the definition, as the loader names it: parts[1].fields[5].max_words")
    message: str


class DraftSummaryOut(Schema):
    slug: str
    credential: str | None
    revision: int
    base_version: int | None
    updated_at: datetime
    updated_by: str


class DraftOut(DraftSummaryOut):
    definition: dict[str, Any]
    problems: list[DefinitionProblemOut] = Field(description="What publishing would refuse; empty when it validates")


class DraftIn(StrictIn):
    revision: Count = Field(description="The revision the definition was read at; a newer save is a 409")
    definition: dict[str, Any]


class NewDraftIn(StrictIn):
    slug: Slug
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class YamlIn(StrictIn):
    yaml: YamlText


class YamlDraftIn(StrictIn):
    revision: Count
    yaml: YamlText


class PublishIn(StrictIn):
    overwrite: bool = Field(False, description="Replace a version that became current after the draft started")


class PublishedOut(Schema):
    credential: str
    version: int
    created: bool = Field(description="False: the draft equalled an existing version, which is current again")
    content_hash: str


class ValidOut(Schema):
    valid: bool


def _summary(draft: CredentialDraft) -> dict[str, Any]:
    return {
        "slug": draft.slug,
        "credential": draft.credential.slug if draft.credential else None,
        "revision": draft.revision,
        "base_version": draft.base_version.number if draft.base_version else None,
        "updated_at": draft.updated_at,
        "updated_by": draft.updated_by.email,
    }


def _out(draft: CredentialDraft) -> dict[str, Any]:
    problems = draft_problems(draft)
    return {
        **_summary(draft),
        "definition": draft.definition,
        "problems": [{"field": path or "(top level)", "message": message} for path, message in problems],
    }


def _draft(request: HttpRequest, slug: str, credential: str) -> CredentialDraft:
    return selectors.draft_get_for_author(user=request_user(request), slug=slug, credential=credential)


def _yaml(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@router.get(
    "/{slug}/drafts", response={200: list[DraftSummaryOut], **errors(401, 404, 422)}, url_name="authoring_drafts"
)
def drafts(request: HttpRequest, slug: Slug) -> list[dict[str, Any]]:
    """The issuer's open drafts: of its credentials, and of new ones not yet published."""
    issuer = selectors.issuer_get_for_author(user=request_user(request), slug=slug)
    return [_summary(d) for d in selectors.drafts_for_author(issuer=issuer)]


@router.post(
    "/{slug}/drafts", response={201: DraftOut, **errors(400, 401, 403, 404, 413, 422)}, url_name="authoring_draft_new"
)
def draft_create(request: HttpRequest, slug: Slug, payload: NewDraftIn) -> Status:
    """Start a new credential's draft, from the smallest definition that validates."""
    issuer = selectors.issuer_get_for_author(user=request_user(request), slug=slug)
    draft = draft_new(actor=request_user(request), issuer=issuer, slug=payload.slug, title=payload.title)
    return Status(201, _out(draft))


@router.post(
    "/{slug}/import", response={200: DraftOut, **errors(400, 401, 403, 404, 409, 413, 422)}, url_name="authoring_import"
)
def import_yaml_new(request: HttpRequest, slug: Slug, payload: YamlIn) -> dict[str, Any]:
    """YAML into the draft of the credential it names (started when needed), or a new credential's draft."""
    issuer = selectors.issuer_get_for_author(user=request_user(request), slug=slug)
    return _out(draft_import_new(actor=request_user(request), issuer=issuer, text=payload.yaml))


@router.post(
    "/{slug}/credentials/{credential}/draft",
    response={200: DraftOut, **errors(401, 403, 404, 409, 422)},
    url_name="authoring_draft_start",
)
def draft_begin(request: HttpRequest, slug: Slug, credential: Slug) -> dict[str, Any]:
    """The credential's open draft, started from its current version when there is none."""
    found = selectors.credential_get_for_author(user=request_user(request), slug=slug, credential=credential)
    return _out(draft_start(actor=request_user(request), credential=found))


@router.get(
    "/{slug}/credentials/{credential}/versions/{number}/yaml",
    response={200: None, **errors(401, 404, 422)},
    url_name="authoring_version_yaml",
)
def version_yaml(request: HttpRequest, slug: Slug, credential: Slug, number: Id) -> HttpResponse:
    """One published version's definition as YAML, loadable as it stands."""
    version = selectors.version_get_for_author(
        user=request_user(request), slug=slug, credential=credential, number=number
    )
    return _yaml(definition_yaml(version.definition), f"{credential}-v{version.number}.yaml")


@router.get(
    "/{slug}/drafts/{credential}", response={200: DraftOut, **errors(401, 404, 422)}, url_name="authoring_draft"
)
def draft_detail(request: HttpRequest, slug: Slug, credential: Slug) -> dict[str, Any]:
    return _out(_draft(request, slug, credential))


@router.put(
    "/{slug}/drafts/{credential}",
    response={200: DraftOut, **errors(400, 401, 403, 404, 409, 413, 422)},
    url_name="authoring_draft_save",
)
def draft_put(request: HttpRequest, slug: Slug, credential: Slug, payload: DraftIn) -> dict[str, Any]:
    """Replace the draft's definition (kept even while it does not validate: its problems come back)."""
    draft = _draft(request, slug, credential)
    saved = draft_save(
        actor=request_user(request), draft=draft, definition=payload.definition, revision=payload.revision
    )
    return _out(saved)


@router.delete(
    "/{slug}/drafts/{credential}",
    response={204: None, **errors(401, 403, 404, 422)},
    url_name="authoring_draft_discard",
)
def draft_delete(request: HttpRequest, slug: Slug, credential: Slug) -> Status:
    draft_discard(actor=request_user(request), draft=_draft(request, slug, credential))
    return Status(204, None)


@router.post(
    "/{slug}/drafts/{credential}/validate",
    response={200: ValidOut, **errors(401, 403, 404, 422)},
    url_name="authoring_draft_validate",
)
def draft_validate(request: HttpRequest, slug: Slug, credential: Slug) -> dict[str, Any]:
    """200 when the draft would publish; otherwise 422 with every problem at its place."""
    problems = draft_problems(_draft(request, slug, credential))
    if problems:
        raise InvalidInput(
            [FieldError(path or "(top level)", message) for path, message in problems],
            f"the draft has {len(problems)} problem(s) to fix before it can be published",
        )
    return {"valid": True}


@router.post(
    "/{slug}/drafts/{credential}/publish",
    response={200: PublishedOut, **errors(400, 401, 403, 404, 409, 413, 422)},
    url_name="authoring_draft_publish",
)
def draft_publish_api(
    request: HttpRequest, slug: Slug, credential: Slug, payload: PublishIn | None = None
) -> dict[str, Any]:
    """Publish the draft as the credential's new immutable version; attempts in progress keep theirs."""
    draft = _draft(request, slug, credential)
    published = credential_publish(
        actor=request_user(request), draft=draft, overwrite=bool(payload and payload.overwrite)
    )
    version = published.version
    return {
        "credential": version.credential.slug,
        "version": version.number,
        "created": published.created,
        "content_hash": version.content_hash,
    }


@router.get(
    "/{slug}/drafts/{credential}/yaml", response={200: None, **errors(401, 404, 422)}, url_name="authoring_draft_yaml"
)
def draft_yaml(request: HttpRequest, slug: Slug, credential: Slug) -> HttpResponse:
    draft = _draft(request, slug, credential)
    return _yaml(definition_yaml(draft.definition), f"{draft.slug}-draft-r{draft.revision}.yaml")


@router.post(
    "/{slug}/drafts/{credential}/yaml",
    response={200: DraftOut, **errors(400, 401, 403, 404, 409, 413, 422)},
    url_name="authoring_draft_import",
)
def draft_yaml_import(request: HttpRequest, slug: Slug, credential: Slug, payload: YamlDraftIn) -> dict[str, Any]:
    """Replace the draft's definition with a YAML one (which need not validate yet, but must be this draft's)."""
    draft = _draft(request, slug, credential)
    return _out(draft_import(actor=request_user(request), draft=draft, text=payload.yaml, revision=payload.revision))
