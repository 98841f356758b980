"""The groups' pages for educators and coordinators, at /groups/.

Educators: "Your groups" (invitations to their address, memberships with the switch to share progress, leaving,
vouchers given to them) and the page an emailed invitation link opens. Coordinators: a group's members (with the
progress of those who share it, filters, pages of 25, CSV and XLSX), inviting, removing, and vouchers.

Thin: reads through cohorts.selectors after cohorts.access (404 to anyone else), writes through cohorts.services.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from cohorts.access import is_platform_admin, organisation_for_coordinator, organisations_coordinated
from cohorts.exports import group_dataset
from cohorts.models import Member, Organisation
from cohorts.selectors import (
    credentials_published,
    invitations_waiting,
    members_page,
    memberships_of,
    turnaround_summary,
    vouchers_of,
)
from cohorts.services import (
    invite_link_get,
    member_accept,
    member_consent_set,
    member_decline,
    member_invite,
    member_leave,
    member_remove,
)
from core.errors import InvalidInput
from pages.cohorts.forms import AcceptForm, FilterForm, InviteForm
from pages.reviews.paging import page_number

FILTER_NAMES = ("q", "credential", "stage", "sharing")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# ----- the educator's side ----------------------------------------------------------------------------------


@login_required
@require_GET
def groups(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = memberships_of(educator=user)
    context = {
        "invitations": [m for m in rows if m.status == Member.Status.INVITED],
        "memberships": [m for m in rows if m.status == Member.Status.JOINED],
        "vouchers": vouchers_of(educator=user),
        "accept_form": AcceptForm(),
        "coordinated": organisations_coordinated(user=user),
        "platform_admin": is_platform_admin(user),
    }
    return render(request, "cohorts/groups.html", context)


def _membership(request: HttpRequest, member_id: int) -> Member:
    """A membership or an invitation of the signed-in educator; 404 for anyone else's."""
    user = _user(request)
    member = Member.objects.select_related("organisation").filter(pk=member_id).first()
    if member is None or not (member.educator_id == user.pk or member.email == user.email):
        raise Http404("no such membership")
    return member


@login_required
@require_POST
def membership_accept(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _membership(request, member_id)
    form = AcceptForm(request.POST)
    share = form.is_valid() and form.cleaned_data["share"]
    member_accept(educator=_user(request), member=member, by_link=False, share=share)
    messages.success(request, gettext("You joined %(group)s.") % {"group": member.organisation.name})
    return redirect("cohorts:groups")


@login_required
@require_POST
def membership_decline(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _membership(request, member_id)
    member_decline(educator=_user(request), member=member)
    messages.success(
        request, gettext("You declined the invitation of %(group)s.") % {"group": member.organisation.name}
    )
    return redirect("cohorts:groups")


@login_required
@require_POST
def membership_consent(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _membership(request, member_id)
    share = request.POST.get("share") == "1"
    member_consent_set(educator=_user(request), member=member, share=share)
    text = (
        gettext("%(group)s's coordinators now see your progress.")
        if share
        else gettext("%(group)s's coordinators no longer see your progress.")
    )
    messages.success(request, text % {"group": member.organisation.name})
    return redirect("cohorts:groups")


@login_required
@require_POST
def membership_leave(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _membership(request, member_id)
    member_leave(educator=_user(request), member=member)
    messages.success(request, gettext("You left %(group)s.") % {"group": member.organisation.name})
    return redirect("cohorts:groups")


@login_required
@require_http_methods(["GET", "POST"])
def invite_link(request: HttpRequest, token: str) -> HttpResponse:
    found = invite_link_get(token=token)
    form = AcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and found.member is not None and form.is_valid():
        if request.POST.get("answer") == "decline":
            # member_decline answers 404 unless the invitation is to this account's own address.
            member_decline(educator=_user(request), member=found.member)
            return redirect("cohorts:groups")
        member_accept(educator=_user(request), member=found.member, by_link=True, share=form.cleaned_data["share"])
        messages.success(request, gettext("You joined %(group)s.") % {"group": found.member.organisation.name})
        return redirect("cohorts:groups")
    return render(
        request, "cohorts/invite_link.html", {"found": found, "form": form}, status=410 if found.problem else 200
    )


# ----- the coordinator's side -------------------------------------------------------------------------------


def _filter_form(request: HttpRequest) -> FilterForm:
    bound = any(name in request.GET for name in FILTER_NAMES)
    return FilterForm(request.GET if bound else None, credentials=credentials_published())


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, slug: str) -> HttpResponse:
    coordinator = _user(request)
    organisation = organisation_for_coordinator(user=coordinator, slug=slug)
    invite = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and invite.is_valid():
        try:
            member = member_invite(actor=coordinator, organisation=organisation, email=invite.cleaned_data["email"])
        except InvalidInput as refusal:
            invite.add_service_errors(refusal.errors)
        else:
            messages.success(request, gettext("We emailed an invitation to %(email)s.") % {"email": member.email})
            return redirect("cohorts:members", slug=organisation.slug)
    form = _filter_form(request)
    filters = form.filters()
    page = members_page(organisation=organisation, filters=filters, page=page_number(request))
    query = {name: request.GET[name] for name in FILTER_NAMES if request.GET.get(name)} if form.is_valid() else {}
    decided, median = turnaround_summary(page.members)
    context = {
        "organisation": organisation,
        "form": form,
        "invite_form": invite,
        "page": page,
        "invitations": invitations_waiting(organisation=organisation),
        "query": urlencode(query),
        "decided": decided,
        "median": median,
    }
    status = 422 if invite.errors or form.errors else 200
    return render(request, "cohorts/members.html", context, status=status)


@login_required
@require_POST
def member_remove_view(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    coordinator = _user(request)
    organisation = organisation_for_coordinator(user=coordinator, slug=slug)
    member = get_object_or_404(Member, pk=member_id, organisation=organisation)
    member_remove(actor=coordinator, member=member)
    messages.success(request, gettext("%(email)s is no longer in the group.") % {"email": member.email})
    return redirect("cohorts:members", slug=organisation.slug)


@login_required
@require_GET
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    organisation: Organisation = organisation_for_coordinator(user=request.user, slug=slug)
    form = _filter_form(request)
    data = group_dataset(organisation=organisation, filters=form.filters())
    if fmt == "csv":
        response = HttpResponse("\ufeff" + data.export("csv"), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            data.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{organisation.slug}-members.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
