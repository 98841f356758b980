"""The earner's side of the authorization server: the consent page and the connected-apps page.

The consent page is django-oauth-toolkit's authorization view (it validates the request, PKCE included, and
issues the code) drawn in our layout with what the client registered about itself; approving it is audited.
The connected-apps page lists the apps that can act for the earner now and ends any of them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oauth2_provider.models import Application
from oauth2_provider.views import AuthorizationView

from accounts.models import User
from ob3 import scopes as ob3_scopes
from ob3.models import ClientRegistration
from ob3.selectors import connected_app_get, connected_apps
from ob3.services import connected_app_revoke, consent_record


class ConsentView(AuthorizationView):
    template_name = "ob3/consent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        if isinstance(application, Application):
            context["registration"] = ClientRegistration.objects.filter(application=application).first()
        context["scope_items"] = ob3_scopes.labelled(list(context.get("scopes") or []))
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        redirect_uri = context.get("redirect_uri")
        if isinstance(redirect_uri, str) and not context.get("error"):
            # The answer to this form redirects to the client, and browsers hold that redirect to the page's
            # form-action: the client's origin is added for this page alone (DOT has checked the URI against
            # the client's registered ones before drawing the form).
            parts = urlsplit(redirect_uri)
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        location = response.get("Location", "") if response.status_code in (301, 302) else ""
        # A code in the redirect means the earner approved and DOT issued it; a refusal carries error=.
        if form.cleaned_data.get("allow") and "code=" in location and isinstance(self.request.user, User):
            application = Application.objects.get(client_id=form.cleaned_data["client_id"])
            consent_record(
                user=self.request.user, application=application, scopes=str(form.cleaned_data["scope"]).split()
            )
        return response


@login_required
def apps_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    apps = connected_apps(user=request.user)
    registrations = {
        r.application_id: r for r in ClientRegistration.objects.filter(application__in=[a.application for a in apps])
    }
    rows = [
        {"app": a, "registration": registrations.get(a.application.pk), "scopes": ob3_scopes.labelled(a.scopes)}
        for a in apps
    ]
    return render(request, "ob3/connected_apps.html", {"rows": rows})


@login_required
@require_POST
def app_disconnect(request: HttpRequest, client_id: str) -> HttpResponse:
    assert isinstance(request.user, User)
    application = connected_app_get(user=request.user, client_id=client_id)
    connected_app_revoke(user=request.user, application=application)
    messages.success(
        request,
        _("%(name)s is disconnected: it can no longer read or change anything of yours.") % {"name": application.name},
    )
    return redirect("ob3:connected_apps")
