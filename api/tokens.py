"""Personal access tokens of the signed-in user: create (shown once), list, revoke.

Creating a token needs the browser session: a leaked token must not be able to mint more tokens.
A token reads only unless `scope` is "write", and expires within API_TOKEN_MAX_DAYS (365) days: after
API_TOKEN_DEFAULT_DAYS (90) when no `expires_at` is given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from api.auth import request_user, session_only, session_or_token
from api.common import Id, errors
from api.selectors import token_get_for_user, tokens_list_for_user
from api.services import token_create, token_revoke

router = Router()


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    scope: Literal["read", "write"] = "read"
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: Literal["read", "write"]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str


@router.post("", response={201: TokenCreated, **errors(400, 401, 403, 409, 413, 422)}, auth=session_only)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    """A refused name or expiry (in the past, or more than a year ahead) answers 422 naming the field; 409
    when the user already has the most active tokens allowed (api/api.py shapes both)."""
    row, secret = token_create(
        user=request_user(request), name=payload.name, expires_at=payload.expires_at, scope=payload.scope
    )
    return Status(201, {**TokenOut.model_validate(row).model_dump(), "token": secret})


@router.get("", response={200: list[TokenOut], **errors(401)}, auth=session_or_token)
def list_tokens(request: HttpRequest) -> list[object]:
    return list(tokens_list_for_user(user=request_user(request)))


@router.delete("/{token_id}", response={204: None, **errors(401, 403, 404, 422)}, auth=session_or_token)
def revoke_token(request: HttpRequest, token_id: Id) -> Status[None]:
    token = token_get_for_user(user=request_user(request), token_id=token_id)
    token_revoke(token=token, actor=request_user(request))
    return Status(204, None)
