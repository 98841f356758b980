"""The JSON API at /api/v1, assembled from each app's router (OpenAPI at /api/v1/openapi.json).

Errors come back as JSON with a `detail` sentence and, where a field is at fault, `errors` naming it;
the handlers below make sure bad input of any kind (an undecodable or oversized body, a refused value,
a stale revision) is a 4xx answer of that shape and never a 500.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from api.awards import router as awards_router
from api.catalog import router as catalog_router
from api.notifications import router as notifications_router
from api.parser import BodyError, StrictJSONParser
from api.reviews import router as reviews_router
from api.submissions import router as submissions_router
from api.tokens import router as tokens_router
from core.errors import Conflict, InvalidInput, MicrocredError
from submissions.errors import NotReady

api = NinjaAPI(
    title="microcred API",
    version="1",
    description="Credentials, submissions, reviews and awards on microcred. Authenticate with the browser "
    "session (CSRF token required for changes) or with `Authorization: Bearer <personal access token>`.",
    urls_namespace="api-v1",
    parser=StrictJSONParser(),
)
api.add_router("/credentials", catalog_router, tags=["credentials"])
api.add_router("/submissions", submissions_router, tags=["submissions"])
api.add_router("/tokens", tokens_router, tags=["tokens"])
api.add_router("/reviews", reviews_router, tags=["reviews"])
api.add_router("/notifications", notifications_router, tags=["notifications"])
api.add_router("/verify", awards_router, tags=["verification"])


@api.exception_handler(MicrocredError)
def _refusal(request: HttpRequest, exc: MicrocredError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message}
    if isinstance(exc, InvalidInput):
        body["errors"] = [e.as_dict() for e in exc.errors]
    if isinstance(exc, Conflict):
        body["revision"] = exc.revision
        body["conflicts"] = [c.as_dict() for c in exc.conflicts]
    if isinstance(exc, NotReady):
        body["findings"] = [f.as_dict() for f in exc.findings]
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, BodyError):
        errors = [{"field": cause.field or "body", "message": cause.message}]
        return api.create_response(request, {"detail": cause.message, "errors": errors}, status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
    message = f"the request body is larger than {limit:g} MB; send less at once (files go to the evidence upload)"
    return api.create_response(
        request, {"detail": message, "errors": [{"field": "body", "message": message}]}, status=413
    )


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    message = "the upload is not well-formed multipart/form-data"
    return api.create_response(
        request, {"detail": message, "errors": [{"field": "body", "message": message}]}, status=400
    )


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return api.create_response(request, {"detail": "the request could not be read"}, status=400)


def _field_name(loc: list[object]) -> str:
    # ninja locates an error as [source, parameter name, *path] for bodies and [source, *path] for the
    # query; the reader wants the path as they wrote it in their request.
    path = [str(bit) for bit in loc[1:]]
    if loc and loc[0] == "body" and len(path) > 1:
        path = path[1:]
    return ".".join(path) or str(loc[0] if loc else "body")


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """The request's shape is wrong (a missing or unknown key, a wrong type): the same answer shape as the
    services' refusals, each error naming its field; ninja's own `loc` is kept alongside."""
    errors = [
        {
            "field": _field_name(list(e.get("loc", []))),
            "message": str(e.get("msg", "is not valid")),
            "loc": e.get("loc"),
        }
        for e in exc.errors
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)
