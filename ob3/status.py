"""Refusals of the Open Badges 3.0 API in the specification's Imsx_StatusInfo shape.

The OB 3.0 resource endpoints answer every error as an Imsx_StatusInfo (major code, severity, a description for
the person, and a minor code from the specification's vocabulary), not in the /api/v1 shape: a backpack written
against the standard reads only that."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse


class Refusal(Exception):
    """A request the OB 3.0 API refuses on purpose; `minor` is one of the specification's codeMinor values
    (forbidden, invalid_data, invalid_query_parameter, not_found, unauthorizedrequest, ...)."""

    def __init__(self, status: int, minor: str, description: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.minor = minor
        self.description = description
        self.headers = headers or {}


def status_info(*, minor: str, description: str, major: str = "failure", severity: str = "error") -> dict[str, Any]:
    return {
        "imsx_codeMajor": major,
        "imsx_severity": severity,
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [{"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor}]
        },
    }


def refusal_response(refusal: Refusal) -> HttpResponse:
    body = json.dumps(status_info(minor=refusal.minor, description=str(refusal.description)), ensure_ascii=False)
    response = HttpResponse(body, status=refusal.status, content_type="application/json")
    for name, value in refusal.headers.items():
        response[name] = value
    return response
