"""The JSON API at /api/v1, assembled from each app's router (OpenAPI at /api/v1/openapi.json).

Errors come back as JSON with a `detail` sentence and, where a field is at fault, `errors` naming it;
the handlers below make sure bad input of any kind (an undecodable or oversized body, a refused value,
a stale revision) is a 4xx answer of that shape and never a 500.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.log import log_response
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext_lazy
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
    # Swagger UI's stylesheet draws its icons as data: SVG images; the site's policy allows images from
    # itself only, so the docs page (and only it) also allows data: images. Scripts and styles stay 'self'.
    docs_decorator=csp_update({"img-src": ["data:"]}),
)
api.add_router("/credentials", catalog_router, tags=["credentials"])
api.add_router("/submissions", submissions_router, tags=["submissions"])
api.add_router("/tokens", tokens_router, tags=["tokens"])
api.add_router("/reviews", reviews_router, tags=["reviews"])
api.add_router("/notifications", notifications_router, tags=["notifications"])
api.add_router("/verify", awards_router, tags=["verification"])
api.add_router("/issuers", "api.authoring_versions.router", tags=["authoring"])
api.add_router("/issuers", "api.authoring.router", tags=["authoring"])
api.add_router("/issuers", "api.issuer_exports.router", tags=["issuer exports"])
api.add_router("/issuers", "api.issuer_dashboard.router", tags=["issuer dashboards"])
api.add_router("/issuers", "api.issuer_reviewers.router", tags=["issuer reviewers"])
api.add_router("/issuers", "api.issuer_reliability.router", tags=["issuer reliability"])


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
        return api.create_response(request, {"detail": cause.detail, "errors": errors}, status=cause.status)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
    message = gettext(
        "the request body is larger than %(limit)s MB; send less at once (files go to the evidence upload)"
    ) % {"limit": f"{limit:g}"}
    return api.create_response(
        request, {"detail": message, "errors": [{"field": "body", "message": message}]}, status=413
    )


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    if "header size" in str(exc):
        # Django refuses a part whose headers pass 1 KB, which in practice is a very long file name. The name
        # is in those headers, so the parser stops before any field is known; every upload here is the part
        # `file`, and what the sender can do is rename it (only 200 characters of a name are kept anyway).
        message = gettext(
            "the file name is too long to read; rename the file to under 200 characters and upload it again"
        )
        return api.create_response(
            request, {"detail": f"file: {message}", "errors": [{"field": "file", "message": message}]}, status=422
        )
    message = gettext("the upload is not well-formed multipart/form-data")
    return api.create_response(
        request, {"detail": message, "errors": [{"field": "body", "message": message}]}, status=400
    )


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return api.create_response(request, {"detail": gettext("the request could not be read")}, status=400)


def _field_name(loc: list[object]) -> str:
    # ninja locates an error as [source, parameter name, *path] for bodies and [source, *path] for the
    # query; the reader wants the path as they wrote it in their request.
    path = [str(bit) for bit in loc[1:]]
    if loc and loc[0] == "body" and len(path) > 1:
        path = path[1:]
    return ".".join(path) or str(loc[0] if loc else "body")


# pydantic words its messages in English only; the commonest kinds are said here in the request's language. The
# kind itself (`type`) and the field are the same in every language, so a client reads those, not the words.
_VALIDATION_MESSAGES = {
    "missing": gettext_lazy("is required but missing"),
    "extra_forbidden": gettext_lazy("is not a key this operation knows; remove it"),
    "int_type": gettext_lazy("must be a whole number"),
    "int_parsing": gettext_lazy("must be a whole number"),
    "int_from_float": gettext_lazy("must be a whole number"),
    "float_type": gettext_lazy("must be a number"),
    "float_parsing": gettext_lazy("must be a number"),
    "bool_type": gettext_lazy("must be true or false"),
    "bool_parsing": gettext_lazy("must be true or false"),
    "string_type": gettext_lazy("must be text"),
    "list_type": gettext_lazy("must be a list"),
    "dict_type": gettext_lazy("must be an object"),
    "model_type": gettext_lazy("must be an object"),
    "less_than_equal": gettext_lazy("is too large"),
    "greater_than_equal": gettext_lazy("is too small"),
    "greater_than": gettext_lazy("is too small"),
    "string_too_long": gettext_lazy("is too long"),
    "string_too_short": gettext_lazy("is too short"),
    "string_pattern_mismatch": pgettext_lazy("validation", "is not in the expected format"),
    "literal_error": gettext_lazy("is not one of the allowed values"),
    "enum": gettext_lazy("is not one of the allowed values"),
    "date_from_datetime_parsing": gettext_lazy("must be a date such as 2026-01-31"),
    "date_parsing": gettext_lazy("must be a date such as 2026-01-31"),
    "datetime_parsing": gettext_lazy("must be a date and time such as 2026-01-31T09:00:00Z"),
}


def _validation_message(error: dict[str, object]) -> str:
    """pydantic's own words in English (clients and tests have long read them), the request's language otherwise."""
    if (get_language() or "en").split("-")[0] != "en":
        known = _VALIDATION_MESSAGES.get(str(error.get("type", "")))
        if known is not None:
            return str(known)
    return str(error.get("msg", gettext("is not valid")))


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """The request's shape is wrong (a missing or unknown key, a wrong type): the same answer shape as the
    services' refusals, each error naming its field; ninja's own `loc` is kept alongside."""
    errors = [
        {
            "field": _field_name(list(e.get("loc", []))),
            "message": _validation_message(e),
            "loc": e.get("loc"),
        }
        for e in exc.errors
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug, not a refusal: still JSON, whatever DEBUG says (ninja would answer a traceback as text with
    DEBUG on and leave Django to draw its HTML page with it off). Logged and signalled as Django does for
    any unhandled exception, so error reporting, and the test client, still see it."""
    got_request_exception.send(sender=None, request=request)
    response = api.create_response(
        request,
        {"detail": gettext("something went wrong on our side; it has been logged, please try again later")},
        status=500,
    )
    log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=exc)
    return response


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any path under /api/ that no operation matches: JSON like the rest of the API, in every mode."""
    detail = gettext("no such API path: %(path)s; see /api/v1/docs") % {"path": request.path}
    return JsonResponse({"detail": detail}, status=404)
