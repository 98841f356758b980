"""The certified examples gallery's pages at /examples/: a credential's gallery, one example and its files (public),
and the earner's offer (with the consent statement and a preview of exactly what would be shown) and withdrawal.

Thin: gallery.selectors decides who may see what (404 otherwise) on every request, gallery.services makes the
changes. Public responses are `private, no-store`, so a withdrawn or revoked example leaves no copy in a cache.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.participants import sharing_consented
from core.errors import InvalidInput, InvalidState
from gallery.consent import CONSENT_POINTS
from gallery.models import GalleryEntry
from gallery.selectors import Showcase, entry_file, entry_for_earner, entry_get_public, entry_showcase, gallery_page
from gallery.services import gallery_entry_offer, gallery_entry_withdraw, gallery_file_viewed
from pages.gallery.forms import OfferForm
from pages.reviews.paging import page_number
from pages.service_errors import form_errors_add
from pages.submissions.answers import answer_for

R = TypeVar("R", bound=HttpResponseBase)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _no_store(response: R) -> R:
    patch_cache_control(response, private=True, no_store=True)
    return response


def showcase_context(showcase: Showcase) -> dict[str, Any]:
    """The showcase's answers drawn as the submission pages draw them; one shape for the public page, the
    earner's preview and the issuer's."""
    parts = [
        {
            "id": part.id,
            "title": part.title,
            "answers": [answer_for(field.spec, field.value, ref=field.ref) for field in part.fields],
        }
        for part in showcase.parts
    ]
    return {"showcase": showcase, "parts": [p for p in parts if p["answers"]]}


# ----- public -----------------------------------------------------------------------------------------------


@require_GET
def gallery_list(request: HttpRequest, slug: str) -> HttpResponse:
    credential, page = gallery_page(slug=slug, number=page_number(request))
    return _no_store(render(request, "gallery/list.html", {"credential": credential, "page": page}))


@require_GET
def entry(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    item = entry_get_public(slug=slug, entry_id=entry_id)
    context = {"entry": item, "credential": item.credential, **showcase_context(entry_showcase(entry=item))}
    return _no_store(render(request, "gallery/entry.html", context))


@require_GET
def entry_file_download(request: HttpRequest, slug: str, entry_id: int, evidence_id: int) -> HttpResponseBase:
    item = entry_get_public(slug=slug, entry_id=entry_id)
    evidence, shown = entry_file(entry=item, evidence_id=evidence_id)
    try:
        # Only ever the reviewer's copy: the original keeps the metadata that names its maker.
        stream = evidence.reviewer_file.open("rb")
    except FileNotFoundError:
        raise Http404("the stored file is missing") from None
    response = FileResponse(
        stream, as_attachment=True, filename=f"example-{item.pk}-file-{shown.number}.{shown.extension}"
    )
    viewer = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    gallery_file_viewed(viewer=viewer, entry=item, evidence=evidence)
    response["Content-Type"] = evidence.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)


# ----- the earner ---------------------------------------------------------------------------------------------


def _offer_page(request: HttpRequest, uuid: str, form: OfferForm, status: int = 200) -> HttpResponse:
    badge, current = entry_for_earner(user=request.user, uuid=uuid)
    preview = GalleryEntry(pk=current.pk if current else None, badge=badge, credential=badge.credential)
    context = {
        "badge": badge,
        "entry": current,
        "form": form,
        "points": CONSENT_POINTS,
        "may_share": sharing_consented(user=badge.earner),
        **showcase_context(entry_showcase(entry=preview)),
    }
    return _no_store(render(request, "gallery/offer.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, uuid: str) -> HttpResponse:
    badge, _ = entry_for_earner(user=request.user, uuid=uuid)
    if request.method == "GET":
        return _offer_page(request, uuid, OfferForm())
    form = OfferForm(request.POST)
    if form.is_valid():
        try:
            gallery_entry_offer(earner=_user(request), badge=badge, consent=form.cleaned_data["consent"])
        except InvalidInput as refusal:
            form_errors_add(form, refusal.errors)
        except InvalidState as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                gettext(
                    "Thank you: your submission is offered as a certified example. %(issuer)s decides whether to "
                    "publish it; you can withdraw it at any time."
                )
                % {"issuer": badge.issuer.name},
            )
            return redirect("awards:detail", uuid=uuid)
    return _offer_page(request, uuid, form, status=400)


@login_required
@require_POST
def withdraw(request: HttpRequest, uuid: str) -> HttpResponse:
    _, current = entry_for_earner(user=request.user, uuid=uuid)
    if current is None:
        raise Http404("this credential was never offered as an example")
    gallery_entry_withdraw(earner=_user(request), entry=current)
    messages.success(request, gettext("Withdrawn: your submission is no longer shown as a certified example."))
    return redirect("awards:detail", uuid=uuid)
