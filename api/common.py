"""What every router of the API shares: the one error body, the bounded id types and the pagination.

Every refusal (a service's, a parser's, ninja's own) reaches the client as `ErrorOut`, shaped once by the
handlers in api/api.py; each operation lists the statuses it can answer with `errors(...)`, so that its
OpenAPI document says what it does. Ids and counts are bounded to what a database integer holds: a bigger
number is refused naming the parameter, rather than failing the query.
"""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Ge, Le
from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination
from pydantic import BaseModel, ConfigDict, Strict, StringConstraints

from catalog.schema import SLUG
from core import limits

MAX_ID = limits.MAX_ID

Id = Annotated[int, Ge(1), Le(MAX_ID)]
Count = Annotated[int, Ge(0), Le(MAX_ID)]
# In a JSON body a number must be a JSON integer: without Strict, pydantic would take true, 1.0 or "1" for 1.
StrictId = Annotated[int, Strict(), Ge(1), Le(MAX_ID)]
StrictCount = Annotated[int, Strict(), Ge(0), Le(MAX_ID)]


class StrictIn(BaseModel):
    """A request body: a key the operation does not know is a 422 naming it, not silently dropped. A plain pydantic
    model, as the answers are (`Answer`): ninja's Schema, to read a model instance's attributes, validates a body
    that forbids unknown keys twice, the second time through a wrapper of every value, which a body parsed from
    JSON never needs; autosave's body was validated that way on every save."""

    model_config = ConfigDict(extra="forbid")


# A credential's slug as the definitions spell it; anything else (a NUL, which PostgreSQL cannot even compare,
# or a 10,000-character path segment) is refused naming the parameter instead of reaching a query.
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=80)]


class FieldErrorOut(Schema):
    field: str = Field(description="The input at fault, as the request names it (a parameter, or a dotted path)")
    message: str
    entry: int | None = Field(None, description="The 1-based list entry the problem is in, if any")
    loc: list[str | int] | None = Field(
        None, description="Where the request's shape is wrong, as the validator locates it: [source, name, *path]"
    )


class FindingOut(Schema):
    check: str
    severity: str
    message: str
    field: str | None = None
    entry: int | None = None
    criterion: str | None = None


class ConflictOut(Schema):
    section: str
    field: str
    yours: Any = None
    theirs: Any = None


class ErrorOut(Schema):
    """Every refusal: `detail` says what went wrong and what to do; `errors` name the fields at fault, and a
    refused submit or a stale save adds its findings or conflicts."""

    detail: str
    errors: list[FieldErrorOut] = []
    findings: list[FindingOut] = []
    conflicts: list[ConflictOut] = []
    revision: int | None = None


# A download's 200: the file itself, of whatever type it was found to be by content.
FILE_DOC: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The file, always as an attachment",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error statuses an operation answers, each with the shared body, for its `response={...}`.

    The usual reasons: 400 a body that cannot be read as JSON; 401 no valid session or token (lists and
    creates); 403 a session's unsafe request without its CSRF token, or an action the actor may not take;
    404 no such object for this caller (anonymous included, on routes about one object); 409 the object's
    state does not allow it; 413 a body or file too large; 422 a value refused, naming its field.
    """
    return dict.fromkeys(codes, ErrorOut)


class Answer(BaseModel):
    """An answer a view builds as a dict, validated by pydantic alone. ninja's Schema wraps each value it validates,
    nested ones included, so that it can read a model instance's attributes; an answer made of dicts never needs
    that, and the wrapping was most of the time ninja spent validating autosave's answer, on every save."""


def prefer_minimal_doc(answer: str) -> dict[str, Any]:
    """An operation's `openapi_extra` for the Prefer header it honours (RFC 7240): `return=minimal` answers `answer`."""
    return {
        "parameters": [
            {
                "in": "header",
                "name": "Prefer",
                "required": False,
                "schema": {"type": "string"},
                "description": f"`return=minimal`: answer {answer}, and say so in Preference-Applied",
            }
        ]
    }


def prefers_minimal(request: HttpRequest) -> bool:
    """Whether the request's Prefer header (RFC 7240) asks for return=minimal: spaces around "=" and a quoted value
    are the same preference."""
    header = request.META.get("HTTP_PREFER", "")
    return any(
        preference.split(";", 1)[0].replace(" ", "").replace('"', "").lower() == "return=minimal"
        for preference in header.split(",")
    )


def rendered(request: HttpRequest, response: HttpResponse, body: Any) -> HttpResponse:
    """`body` rendered into `response` (the temporal response ninja hands a view, with the headers the view set) by
    the API's own renderer: the bytes ninja would answer, without validating `body` against the operation's
    response schema again. For an answer built field by field in its schema's shape from values the view already
    holds checked: ninja validates a result against a union of schemas by trying each (an operation that answers
    two shapes), then dumps it again, which cost a tenth of autosave's time."""
    from api.api import api  # api.api imports the routers, which import this module

    response.content = api.renderer.render(request, body, response_status=response.status_code)
    return response


class Pagination(LimitOffsetPagination):
    """ninja's limit and offset, bounded so that a huge number is a 422 naming it rather than a failed query."""

    class Input(Schema):
        limit: Id = Field(ninja_settings.PAGINATION_PER_PAGE, description="How many items to answer at most")
        offset: Count = Field(0, description="How many items to skip")
