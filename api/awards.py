"""The verifier as JSON: POST a credential, get each check back. Public: anyone may verify a credential."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from awards.verify import MAX_INPUT as MAX_UPLOAD
from awards.verify import verify_credential

router = Router()


class CheckOut(Schema):
    id: str
    label: str
    outcome: str
    detail: str


class ReportOut(Schema):
    valid: bool
    form: str
    error: str
    checks: list[CheckOut]
    credential: dict[str, Any] | None


_BODY_DOC = {
    "requestBody": {
        "description": 'The credential: a JSON object (the credential itself, or {"credential": <object or '
        "JWT string>}), a JWT as text/plain, or a baked PNG/SVG as multipart/form-data in the field `file`.",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/plain": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
        },
    }
}


@router.post("", response={200: ReportOut, 400: ReportOut}, openapi_extra=_BODY_DOC, summary="Verify a credential")
def verify(request: HttpRequest) -> Status:
    """Runs every check (structure, defined terms, signature, issuer key, revocation, validity dates) and
    answers 200 with the report whether or not the credential is valid (see `valid`); 400 when the input
    is not a credential at all."""
    data: dict[str, Any] | str | bytes
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise HttpError(400, "send the baked image in the multipart field `file`")
        if upload.size is not None and upload.size > MAX_UPLOAD:
            raise HttpError(413, "the image is larger than 2 MB")
        data = upload.read()
    elif request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError) as error:
            raise HttpError(400, f"the body is not valid JSON: {error}") from None
        if isinstance(body, dict) and set(body) == {"credential"}:
            body = body["credential"]
        if not isinstance(body, (dict, str)):
            raise HttpError(400, 'send the credential as a JSON object, or a JWT string in {"credential": …}')
        data = body
    else:
        data = request.body
    report = verify_credential(data)
    return Status(400 if report.error else 200, report.as_dict())
