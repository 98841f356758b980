"""The Open Badges 3.0 API endpoints (/ims/ob/v3p0/...) and dynamic client registration (/oauth/register).

Views stay thin: the token and its scope are checked by ob3.resource, reads go through ob3.selectors, changes
through ob3.services; every refusal is an ob3.status.Refusal, answered as Imsx_StatusInfo. None of them reads the
session cookie, so none needs Django's CSRF check."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts.throttle import client_network, throttle_take
from awards.vcjwt import jwt_payload_unverified, looks_like_jwt
from core import json_input
from core.limits import MAX_ID
from ob3 import scopes as ob3_scopes
from ob3 import selectors, services
from ob3.discovery import BASE_PATH, service_description
from ob3.registration import RegistrationError, client_register, metadata_validate, registration_answer
from ob3.resource import token_user
from ob3.status import Refusal, refusal_response

log = logging.getLogger(__name__)

View = Callable[[HttpRequest], HttpResponse]
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
JSON_TYPES = frozenset({"application/json", "application/ld+json", "application/vc+ld+json"})


def endpoint(*methods: str) -> Callable[[View], View]:
    """The shared frame: the methods allowed, every refusal and every bug answered as Imsx_StatusInfo."""

    def wrap(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def run(request: HttpRequest) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise Refusal(
                        405,
                        "not_allowed",
                        _("%(method)s is not allowed here; use %(allowed)s.")
                        % {"method": request.method, "allowed": ", ".join(methods)},
                        headers={"Allow": ", ".join(methods)},
                    )
                return view(request)
            except Refusal as refusal:
                return refusal_response(refusal)
            except RequestDataTooBig:
                return refusal_response(Refusal(413, "invalid_data", _("The request body is too large.")))
            except Exception:
                got_request_exception.send(sender=None, request=request)
                log.exception("Internal Server Error: %s", request.path)
                return refusal_response(
                    Refusal(
                        500, "internal_server_error", _("Something went wrong on our side; please try again later.")
                    )
                )

        return run

    return wrap


def _json_body(request: HttpRequest) -> object:
    try:
        return json_input.loads(request.body or b"")
    except json_input.TooDeep as error:
        raise Refusal(400, "invalid_data", _("The JSON cannot be read: %(error)s") % {"error": error}) from None
    except ValueError:
        raise Refusal(400, "invalid_data", _("The body is not valid JSON.")) from None


def _int_param(request: HttpRequest, name: str, default: int, minimum: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < minimum or int(raw) > MAX_ID:
        raise Refusal(
            400,
            "invalid_query_parameter",
            _("%(name)s: must be a whole number of at least %(minimum)d.") % {"name": name, "minimum": minimum},
        )
    return int(raw)


def _since_param(request: HttpRequest) -> datetime | None:
    raw = request.GET.get("since")
    if raw is None:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise Refusal(
            400,
            "invalid_query_parameter",
            _("since: must be a date and time with its offset, as in 2026-01-31T09:00:00Z."),
        )
    return value


def _link_header(*, limit: int, offset: int, total: int) -> str:
    def url(at: int) -> str:
        return f"{settings.SITE_URL}{BASE_PATH}/credentials?{urlencode({'limit': limit, 'offset': at})}"

    last = max(0, (total - 1) // limit * limit)
    links = []
    if offset + limit < total:
        links.append(f'<{url(offset + limit)}>; rel="next"')
    links.append(f'<{url(last)}>; rel="last"')
    links.append(f'<{url(0)}>; rel="first"')
    if offset > 0:
        links.append(f'<{url(max(0, offset - limit))}>; rel="prev"')
    return ", ".join(links)


@endpoint("GET")
def discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse(service_description(), json_dumps_params={"ensure_ascii": False})


@endpoint("GET", "POST")
def credentials(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _upsert(request)
    user, _token = token_user(request, scope=ob3_scopes.CREDENTIAL_READONLY)
    limit = min(_int_param(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _int_param(request, "offset", 0, 0)
    badges = selectors.credentials_for_earner(user=user, since=_since_param(request))
    total = badges.count()
    texts = list(badges.values_list("document_text", flat=True)[offset : offset + limit])
    # Each credential is served as the exact text that was signed and stored: parsed and dumped again, its
    # keys and escapes could differ from what the earner's other copies (downloads, baked images) hold.
    body = '{"credential": [' + ", ".join(texts) + "]}"
    response = HttpResponse(body, content_type="application/json")
    response["X-Total-Count"] = str(total)
    response["Link"] = _link_header(limit=limit, offset=offset, total=total)
    return response


def _upsert(request: HttpRequest) -> HttpResponse:
    """Upsert, for a platform that issues its own credentials: microcred stores no credential it did not issue,
    and never replaces a signed one. A credential it issued to this earner, sent back unchanged (as JSON or as
    its VC-JWT), is answered 200 with the stored copy; anything else is refused as invalid_data, the same
    answer whether the credential is someone else's, altered or unknown here."""
    user, _token = token_user(request, scope=ob3_scopes.CREDENTIAL_UPSERT)
    content_type = request.content_type or ""
    refused = Refusal(
        400,
        "invalid_data",
        _(
            "microcred keeps only the credentials it issued to you, exactly as issued; this one is not among them, "
            "so nothing was stored."
        ),
    )
    if content_type == "text/plain":
        text = request.body.decode("utf-8", errors="replace").strip()
        if not looks_like_jwt(text):
            raise Refusal(400, "invalid_data", _("A text/plain body must be a credential as a compact JWS."))
        try:
            credential_id = str(jwt_payload_unverified(text).get("jti") or "")
        except ValueError:
            raise Refusal(400, "invalid_data", _("The compact JWS cannot be decoded.")) from None
        badge = _ours(user, credential_id)
        if badge is None or badge.jwt != text:
            raise refused
        return HttpResponse(badge.jwt, content_type="text/plain")
    if content_type not in JSON_TYPES:
        raise Refusal(
            415, "invalid_data", _("Send the credential as application/json, or as a compact JWS in text/plain.")
        )
    body = _json_body(request)
    if not isinstance(body, dict):
        raise Refusal(400, "invalid_data", _("Send the credential as a JSON object."))
    badge = _ours(user, str(body.get("id") or ""))
    if badge is None or badge.document != body:
        raise refused
    return HttpResponse(badge.document_text, content_type="application/json")


def _ours(user: Any, credential_id: str) -> Any:
    prefix = "urn:uuid:"
    if not credential_id.startswith(prefix):
        return None
    uuid = credential_id[len(prefix) :]
    if len(uuid) != 36:
        return None
    try:
        return selectors.badge_for_earner(user=user, uuid=uuid)
    except ValidationError:  # a malformed UUID, which the UUID column refuses to compare
        return None


@endpoint("GET", "PUT")
def profile(request: HttpRequest) -> HttpResponse:
    if request.method == "PUT":
        user, token = token_user(request, scope=ob3_scopes.PROFILE_UPDATE)
        if (request.content_type or "") not in JSON_TYPES:
            raise Refusal(415, "invalid_data", _("Send the profile as application/json."))
        user = services.profile_put(user=user, application=token.application, body=_json_body(request))
    else:
        user, _token = token_user(request, scope=ob3_scopes.PROFILE_READONLY)
    return JsonResponse(services.profile_document(user), json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return refusal_response(
        Refusal(404, "not_found", _("There is no such Open Badges API path: %(path)s") % {"path": request.path})
    )


@csrf_exempt
def register(request: HttpRequest) -> HttpResponse:
    """RFC 7591 registration: open to any client, as a backpack an earner chooses cannot be known in advance;
    nothing it registers can act for anyone until an earner approves it on the consent page."""
    if request.method != "POST":
        response = JsonResponse(
            {"error": "invalid_request", "error_description": _("Register with POST and a JSON body.")}, status=405
        )
        response["Allow"] = "POST"
        return response
    if not throttle_take(rule="oauth_register_network", key=client_network(request)):
        response = JsonResponse(
            {
                "error": "temporarily_unavailable",
                "error_description": _("Too many clients registered from this network; try again in an hour."),
            },
            status=429,
        )
        response["Retry-After"] = "3600"
        return response
    try:
        data = json_input.loads(request.body or b"")
    except ValueError:
        return JsonResponse(
            {"error": "invalid_client_metadata", "error_description": _("body: is not valid JSON")}, status=400
        )
    try:
        metadata = metadata_validate(data)
    except RegistrationError as error:
        return JsonResponse(error.as_dict(), status=400, json_dumps_params={"ensure_ascii": False})
    registration, secret = client_register(metadata=metadata)
    response = JsonResponse(registration_answer(registration, secret), status=201)
    response["Cache-Control"] = "no-store"
    return response
