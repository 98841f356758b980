"""An issuer admin's certified examples (/issuers/<issuer>/examples/): the offers their earners consented to,
waiting ones first, and one offer's page showing exactly what would be published, to publish or decline.

Thin: gallery.selectors makes the access check (404 for anyone but the issuer's admins and platform admins) and
builds the preview with the same code as the public page; gallery.services makes the decision, audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.errors import InvalidInput, InvalidState
from gallery.selectors import entries_for_curation, entry_get_for_curation, entry_showcase
from gallery.services import gallery_entry_curate
from pages.gallery.forms import CurationForm
from pages.gallery.views import showcase_context
from pages.reviews.paging import page_number
from pages.service_errors import form_errors_add


@login_required
@require_GET
def examples(request: HttpRequest, slug: str) -> HttpResponse:
    issuer, page = entries_for_curation(user=request.user, slug=slug, number=page_number(request))
    return render(request, "gallery/curation_list.html", {"issuer": issuer, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def example(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    entry = entry_get_for_curation(user=request.user, slug=slug, entry_id=entry_id)
    form = CurationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        publish = form.cleaned_data["decision"] == "publish"
        try:
            gallery_entry_curate(admin=request.user, entry=entry, publish=publish, note=form.cleaned_data["note"])
        except InvalidInput as refusal:
            form_errors_add(form, refusal.errors)
        except InvalidState as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                gettext("Published: the example is in the credential's gallery, and its earner has been told.")
                if publish
                else gettext("Declined: the example is not shown."),
            )
            return redirect("issuers:examples", slug=slug)
    context = {"issuer": entry.issuer, "entry": entry, "form": form, **showcase_context(entry_showcase(entry=entry))}
    response = render(request, "gallery/curation_entry.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "private, no-store"
    return response
