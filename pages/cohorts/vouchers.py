"""Vouchers: the coordinator's page (give one to a sharing member, withdraw an unused one, see which issuers
accept the group's vouchers) and the issuer admin's Sponsors page in the issuer's workspace
(/issuers/<issuer>/sponsors/: accept or stop accepting each organisation's vouchers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from cohorts.access import organisation_for_coordinator
from cohorts.models import Organisation, Voucher
from cohorts.selectors import (
    credentials_published,
    issuers_accepting,
    members_sharing,
    sponsors_for_issuer,
    vouchers_page,
)
from cohorts.services import acceptance_set, voucher_give, voucher_revoke
from core.errors import InvalidInput
from pages.cohorts.forms import VoucherForm
from pages.reviews.paging import page_number
from reviews.selectors.roster import issuer_get_for_admin


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def vouchers(request: HttpRequest, slug: str) -> HttpResponse:
    coordinator = _user(request)
    organisation = organisation_for_coordinator(user=coordinator, slug=slug)
    sharing = members_sharing(organisation=organisation)
    credentials = credentials_published()
    form = VoucherForm(request.POST if request.method == "POST" else None, members=sharing, credentials=credentials)
    if request.method == "POST" and form.is_valid():
        member = next(m for m in sharing if str(m.pk) == form.cleaned_data["member"])
        credential = next(c for c in credentials if c.slug == form.cleaned_data["credential"])
        try:
            voucher_give(actor=coordinator, member=member, credential=credential)
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        else:
            messages.success(
                request,
                gettext("%(name)s has a voucher for %(credential)s; we told them.")
                % {"name": member.educator.name if member.educator else member.email, "credential": credential.title},
            )
            return redirect("cohorts:vouchers", slug=organisation.slug)
    rows, paginator, number = vouchers_page(organisation=organisation, page=page_number(request))
    context = {
        "organisation": organisation,
        "form": form,
        "rows": rows,
        "paginator": paginator,
        "number": number,
        "accepting": issuers_accepting(organisation=organisation),
    }
    return render(request, "cohorts/vouchers.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def voucher_revoke_view(request: HttpRequest, slug: str, voucher_id: int) -> HttpResponse:
    coordinator = _user(request)
    organisation = organisation_for_coordinator(user=coordinator, slug=slug)
    voucher = get_object_or_404(Voucher, pk=voucher_id, organisation=organisation)
    voucher_revoke(actor=coordinator, voucher=voucher)
    messages.success(request, gettext("The voucher is withdrawn."))
    return redirect("cohorts:vouchers", slug=organisation.slug)


@login_required
@require_GET
def sponsors(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = issuer_get_for_admin(user=request.user, slug=slug)
    rows, paginator, number = sponsors_for_issuer(issuer=issuer, page=page_number(request))
    context = {"issuer": issuer, "rows": rows, "paginator": paginator, "number": number}
    return render(request, "cohorts/sponsors.html", context)


@login_required
@require_POST
def sponsor_set(request: HttpRequest, slug: str, organisation_id: int) -> HttpResponse:
    issuer = issuer_get_for_admin(user=request.user, slug=slug)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    accept = request.POST.get("accept") == "1"
    acceptance_set(actor=_user(request), issuer=issuer, organisation=organisation, accept=accept)
    text = (
        gettext("%(issuer)s now accepts vouchers from %(group)s.")
        if accept
        else gettext("%(issuer)s no longer accepts vouchers from %(group)s; given ones stay unused.")
    )
    messages.success(request, text % {"issuer": issuer.name, "group": organisation.name})
    return redirect("issuers:sponsors", slug=issuer.slug)
