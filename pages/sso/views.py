"""Sign in with your district: find the district by email domain or from the list, and go to its provider.

The way out is allauth's own (the provider's `redirect_from_request`, as allauth's login view makes on a POST), so
state, PKCE, the SAML request id and `next` are allauth's; `process=connect` connects the provider to the
signed-in account instead, from the account page.

A form's answer may not redirect to another site here: the Content-Security-Policy's `form-action 'self'` holds
for every redirect that follows a form, and the browser would stop there. So a POST that leads to a provider
answers with a page that moves on by itself (a refresh, which no form governs) and offers the same link."""

from __future__ import annotations

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from pages.sso.forms import DistrictFindForm
from sso.selectors import districts_offered


def _onward(request: HttpRequest, response: HttpResponse, name: str) -> HttpResponse:
    location = response.get("Location", "") if response.status_code in (301, 302, 303, 307) else ""
    if not location or url_has_allowed_host_and_scheme(location, allowed_hosts={request.get_host()}):
        return response
    return render(request, "sso/onward.html", {"location": location, "name": name})


@require_http_methods(["GET", "POST"])
def district_sign_in(request: HttpRequest) -> HttpResponse:
    form = DistrictFindForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        district = form.cleaned_data["found"]
        provider = district.social_app.get_provider(request)
        return _onward(request, provider.redirect_from_request(request), district.name)
    process = request.POST.get("process") or request.GET.get("process")
    context = {
        "form": form,
        "districts": districts_offered(),
        "process": "connect" if process == "connect" and request.user.is_authenticated else "login",
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    return render(request, "sso/district.html", context, status=422 if form.is_bound else 200)


@require_POST
def provider_sign_in(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The platform's own Google or Microsoft application (never one district's hidden one)."""
    try:
        provider = get_adapter().get_provider(request, provider_id)
    except SocialApp.DoesNotExist as missing:
        raise Http404 from missing
    if provider.app is None or provider.app.settings.get("hidden"):
        raise Http404
    return _onward(request, provider.redirect_from_request(request), provider.name)
