"""LTI 1.3 endpoints: login initiation, launch, account linking, the deep-linking picker, and our JWKS.

The platform reaches login and launch with a cross-site request, so they are exempt from CSRF: what protects
them is the state cookie set at login initiation, the single-use nonce and the platform's signature
(lti/tool.py). Everything after the launch is an ordinary same-site page of a signed-in person.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core.errors import InvalidInput, MicrocredError
from lti import selectors, services
from lti.deep_linking import deep_link_response
from lti.models import PlatformRegistration
from lti.tool import LaunchRefused, launch_validate, oidc_login_redirect

PENDING_LINK = "lti_pending_link"
DEEP_LINK = "lti_deep_link"
# A pending link or a deep-linking choice older than this is refused: open the course link again.
SESSION_TTL = 60 * 60
INSTRUCTOR_ROLES = ("#Instructor", "#Administrator", "#ContentDeveloper", "/membership#Mentor")


def _backend() -> str:
    """The session records which backend signed the person in; the one here that finds users by key."""
    for path in settings.AUTHENTICATION_BACKENDS:
        if issubclass(import_string(path), ModelBackend):
            return path
    raise ImproperlyConfigured("AUTHENTICATION_BACKENDS has no backend built on ModelBackend for LTI sign-in")


def _refused(request: HttpRequest, error: MicrocredError) -> HttpResponse:
    context = {"title": _("The course link could not open microcred"), "message": error.message}
    return render(request, "lti/refused.html", context, status=error.status_code)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest) -> HttpResponse:
    try:
        response: HttpResponse = oidc_login_redirect(request)
    except LaunchRefused as error:
        return _refused(request, error)
    return response


@csrf_exempt
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    try:
        validated = launch_validate(request)
        registration = validated.registration_row
        claims = validated.claims()
        person = services.person_from_claims(registration=registration, claims=claims)
        follow = _follow_up(validated, registration, claims)
        try:
            user = services.launch_account(registration=registration, person=person)
        except services.LinkRequired:
            request.session[PENDING_LINK] = {"person": asdict(person), "follow": follow, "at": time.time()}
            return redirect("lti:link")
    except MicrocredError as error:
        return _refused(request, error)
    auth_login(request, user, backend=_backend())
    return _finish(request, user, person, follow)


def _follow_up(validated: Any, registration: PlatformRegistration, claims: dict[str, Any]) -> dict[str, Any]:
    """What to do once the person is signed in, as plain data a session can hold while they link an account."""
    if validated.is_deep_link_launch():
        roles = claims.get(services.CLAIM + "roles") or []
        if not any(str(role).endswith(INSTRUCTOR_ROLES) for role in roles):
            raise LaunchRefused(_("Only a course's instructors can add a credential to it."))
        return {
            "kind": "deep_link",
            "registration": registration.pk,
            "deployment_id": str(claims.get(services.CLAIM + "deployment_id", "")),
            "settings": claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"),
            "context": claims.get(services.CLAIM + "context") or {},
        }
    if validated.is_resource_launch():
        link = services.resource_link_resolve(registration=registration, claims=claims)
        return {
            "kind": "resource",
            "link": link.pk,
            "slug": link.credential.slug,
            "ags": claims.get(services.AGS_CLAIM),
        }
    raise LaunchRefused(_("microcred does not handle this kind of launch."))


def _finish(request: HttpRequest, user: User, person: services.PlatformPerson, follow: dict[str, Any]) -> HttpResponse:
    if follow["kind"] == "deep_link":
        request.session[DEEP_LINK] = {**follow, "user": user.pk, "at": time.time()}
        return redirect("lti:deep_link")
    link = selectors.resource_link_get(pk=follow["link"])
    services.grade_target_record(link=link, user=user, sub=person.sub, claims={services.AGS_CLAIM: follow.get("ags")})
    return redirect("catalog:detail", slug=follow["slug"])


def _session_entry(request: HttpRequest, key: str) -> dict[str, Any]:
    entry = request.session.get(key)
    if not isinstance(entry, dict) or time.time() - float(entry.get("at", 0)) > SESSION_TTL:
        raise Http404
    return entry


@never_cache
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest) -> HttpResponse:
    """The launch's address has an account here: sign in to it, then confirm the link."""
    pending = _session_entry(request, PENDING_LINK)
    person = services.PlatformPerson(**pending["person"])
    registration = selectors.registration_get(pk=person.registration_id)
    context = {"email": person.email, "platform": registration.name}
    if request.method == "POST" and request.user.is_authenticated:
        user = request.user
        assert isinstance(user, User)
        try:
            services.account_link(user=user, registration=registration, person=person)
        except MicrocredError as error:
            return _refused(request, error)
        del request.session[PENDING_LINK]
        return _finish(request, user, person, pending["follow"])
    context["login_url"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': reverse('lti:link')})}"
    return render(request, "lti/link.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest) -> HttpResponse:
    """The instructor picks the credential to place in their course; we answer the platform with a signed
    LtiDeepLinkingResponse through a form that submits itself."""
    entry = _session_entry(request, DEEP_LINK)
    if entry.get("user") != request.user.pk:
        raise Http404
    registration = selectors.registration_get(pk=entry["registration"])
    credentials = selectors.credentials_placeable()
    error = ""
    if request.method == "POST":
        user = request.user
        assert isinstance(user, User)
        try:
            credential = selectors.credential_placeable_get(slug=request.POST.get("credential", ""))
            placement = services.placement_create(
                actor=user,
                registration=registration,
                deployment_id=entry["deployment_id"],
                context=entry["context"],
                credential=credential,
            )
        except InvalidInput as refusal:
            error = refusal.message
        else:
            del request.session[DEEP_LINK]
            token = deep_link_response(registration=registration, entry=entry, placement=placement)
            return_url = str(entry["settings"]["deep_link_return_url"])
            response = render(request, "lti/deep_link_return.html", {"return_url": return_url, "jwt": token})
            # Our pages may post forms only to ourselves; this one posts to the platform that asked.
            parts = urlsplit(return_url)
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
            return response
    context = {"credentials": credentials, "platform": registration.name, "error": error, "context": entry["context"]}
    return render(request, "lti/deep_link.html", context, status=422 if error else 200)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.tool_jwks_get())
