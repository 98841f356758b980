"""The draft markers of a credential and their sign-off, one at a time: the list (open ones in the working text,
then each sign-off with who and when), a confirmation page per marker, and the POST that signs it off through
authoring.services.signoff (audited there). For the credential's issuer's admins and platform admins only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from authoring import history
from authoring.selectors import credential_get_for_author
from authoring.services.signoff import marker_signoff as signoff_service
from core.errors import InvalidInput
from pages.authoring.sections import section_for


@login_required
@require_GET
def markers(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = credential_get_for_author(user=request.user, slug=slug, credential=credential)
    rows = history.markers_rows(credential=found)
    context = {
        "credential": found,
        "issuer": found.issuer,
        "open_rows": [row for row in rows if row.is_open],
        "signed_rows": [row for row in rows if not row.is_open],
        "has_draft": history.draft_of(credential=found) is not None,
    }
    return render(request, "authoring/markers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def marker_signoff(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = credential_get_for_author(user=request.user, slug=slug, credential=credential)
    back = reverse("authoring:markers", args=[found.issuer.slug, found.slug])
    path = (request.POST if request.method == "POST" else request.GET).get("marker", "")
    row = next((r for r in history.markers_rows(credential=found) if r.is_open and r.path == path), None)
    if request.method == "POST":
        assert isinstance(request.user, User)  # login_required has run
        try:
            signoff = signoff_service(actor=request.user, credential=found, marker=path)
        except InvalidInput as refusal:
            messages.error(request, refusal.message)
            return redirect(back)
        messages.success(
            request,
            gettext("Signed off: %(label)s. It leaves the credential's pages when the draft is published.")
            % {"label": signoff.label},
        )
        return redirect(back)
    if row is None:
        raise Http404("no such open marker")
    section = section_for(row.path)
    args = [found.issuer.slug, found.slug]
    edit = (
        reverse("authoring:draft_section", args=[*args, section.slug])
        if section
        else reverse("authoring:draft", args=args)
    )
    context = {"credential": found, "issuer": found.issuer, "row": row, "back": back, "edit_url": edit}
    return render(request, "authoring/signoff_confirm.html", context)
