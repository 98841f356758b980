"""The verifier as JSON: POST a credential, get each check back. Public: anyone may verify a credential.

Whatever cannot be read as a credential at all answers 400 with a report like any other (its `error` says
why), so that a client reads one shape; only a body too large (413) or a file name too long to read (422)
answer the API's shared error body.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from api.common import errors
from awards.verify import MAX_INPUT as MAX_UPLOAD
from awards.verify import Report, verify_credential
from core import json_input

router = Router()


class VerifyCheckOut(Schema):
    id: str
    label: str
    outcome: str
    detail: str
    # Why a check failed, in fixed words (signature_mismatch, key_unresolved, refused_address, revoked, …).
    reason: str = ""


class ReportOut(Schema):
    valid: bool
    form: str
    error: str
    checks: list[VerifyCheckOut]
    credential: dict[str, Any] | None


_BODY_DOC = {
    "requestBody": {
        "description": 'The credential: a JSON object (the credential itself, or {"credential": <object or '
        "JWT string>}), a JWT as text/plain, or a baked PNG/SVG as multipart/form-data in the field `file`.",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/plain": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def _unreadable(message: str) -> Status[dict[str, Any]]:
    return Status(400, Report(error=message).as_dict())


@router.post(
    "",
    response={200: ReportOut, 400: ReportOut, **errors(413, 422)},
    openapi_extra=_BODY_DOC,
    summary="Verify a credential",
)
def verify(request: HttpRequest) -> Status[dict[str, Any]]:
    """Runs every check (structure, defined terms, signature, issuer key, revocation, validity dates) and
    answers 200 with the report whether or not the credential is valid (see `valid`); 400, with the report's
    `error` saying why, when the input is not a credential at all."""
    data: dict[str, Any] | str | bytes
    if request.content_type == "multipart/form-data":
        try:
            upload = request.FILES.get("file")
        except RequestDataTooBig:
            raise
        except MultiPartParserError as error:
            if "header size" in str(error):
                raise  # a file name too long to read: the shared answer names the field
            return _unreadable("the upload is not well-formed multipart/form-data")
        except SuspiciousOperation:
            return _unreadable("the upload could not be read (too many parts)")
        if upload is None:
            return _unreadable("send the baked image in the multipart field `file`")
        if upload.size is not None and upload.size > MAX_UPLOAD:
            raise HttpError(413, "the image is larger than 2 MB")
        data = upload.read()
    elif request.content_type == "application/json":
        try:
            body = json_input.loads(request.body or b"null")
        except json_input.TooDeep as error:
            return _unreadable(f"the JSON cannot be read: {error}")
        except ValueError as error:
            return _unreadable(f"the body is not valid JSON: {error}")
        if isinstance(body, dict) and set(body) == {"credential"}:
            body = body["credential"]
        if not isinstance(body, (dict, str)):
            return _unreadable('send the credential as a JSON object, or a JWT string in {"credential": …}')
        data = body
    else:
        data = request.body
    report = verify_credential(data)
    return Status(400 if report.error else 200, report.as_dict())
