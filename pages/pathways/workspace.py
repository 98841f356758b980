"""The issuer admin's pathways, in the issuer's workspace (/issuers/<issuer>/pathways/): the list, a new one and
each one's edit page. Only the issuer's admins (and platform admins) may open them; anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from catalog.models import Issuer
from core.errors import InvalidInput
from pages.pathways.forms import PathwayForm
from pages.service_errors import form_errors_add
from pathways import selectors
from pathways.models import Pathway
from pathways.services import pathway_save


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
def pathways(request: HttpRequest, slug: str) -> HttpResponse:
    issuer, rows = selectors.pathways_for_issuer_admin(user=request.user, slug=slug)
    page = selectors.page_of(rows, request.GET.get("page"))
    return render(request, "pathways/workspace_list.html", {"issuer": issuer, "page": page})


def _form_page(request: HttpRequest, issuer: Issuer, pathway: Pathway | None) -> HttpResponse:
    credentials = selectors.credentials_of(issuer=issuer)
    initial = {}
    if pathway is not None:
        initial = {
            "title": pathway.title,
            "description": pathway.description,
            "credentials": [str(c.pk) for c in pathway.credentials.all()],
            "rule": pathway.rule,
            "required_count": pathway.required_count,
            "is_published": pathway.is_published,
        }
    posted = request.method == "POST"
    form = PathwayForm(request.POST if posted else None, initial=initial, credentials=credentials)
    if posted and form.is_valid():
        try:
            saved = pathway_save(actor=_user(request), issuer=issuer, data=form.to_input(), pathway=pathway)
        except InvalidInput as refusal:
            form_errors_add(form, refusal.errors)
        else:
            messages.success(request, gettext("Saved the pathway %(title)s.") % {"title": saved.title})
            return redirect("issuers:pathways", slug=issuer.slug)
    context = {"issuer": issuer, "pathway": pathway, "form": form}
    return render(request, "pathways/workspace_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pathway_new(request: HttpRequest, slug: str) -> HttpResponse:
    issuer, _ = selectors.pathways_for_issuer_admin(user=request.user, slug=slug)
    return _form_page(request, issuer, None)


@login_required
@require_http_methods(["GET", "POST"])
def pathway_edit(request: HttpRequest, slug: str, pathway_id: int) -> HttpResponse:
    pathway = selectors.pathway_get_for_issuer_admin(user=request.user, slug=slug, pathway_id=pathway_id)
    return _form_page(request, pathway.issuer, pathway)
