"""An issuer admin's Reviewers page: the people holding the issuer's reviewer roles (their roles and grade bands,
calibration and load), giving a role to a person by email address (inviting them, with an account made and a
link to choose its password emailed, when they have none), and ending one after a confirmation.

Thin: reads come through reviews selectors (404 for anyone but the issuer's own admins and platform admins),
changes through accounts.services (audited there, with the admin as actor). A new role may make someone
eligible for a seat that waits, so the waiting seats are tried again once the grant has committed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import ReviewerRole, User
from accounts.services import reviewer_role_invite, reviewer_role_revoke
from catalog.schema import GRADE_BANDS
from core.errors import InvalidInput
from pages.issuers.forms import RoleGrantForm
from reviews import selectors
from reviews.services import seats_fill_waiting_after_commit


def _user(request: HttpRequest) -> User:
    # login_required has run, so this is a real account.
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
def reviewers_home(request: HttpRequest) -> HttpResponse:
    """The issuers whose reviewers this admin manages; straight to the one page when there is one."""
    issuers = selectors.issuers_for_admin(user=request.user)
    if len(issuers) == 1:
        return redirect("issuers:reviewers", slug=issuers[0].slug)
    return render(request, "issuers/reviewers_home.html", {"issuers": issuers})


@login_required
@require_http_methods(["GET", "POST"])
def reviewers(request: HttpRequest, slug: str) -> HttpResponse:
    admin = _user(request)
    issuer = selectors.issuer_get_for_admin(user=admin, slug=slug)
    form = RoleGrantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        person = form.grantee()
        kind = form.cleaned_data["kind"]
        held = ReviewerRole.objects.filter(user=person, issuer=issuer, kind=kind).first() if person else None
        try:
            invitation = reviewer_role_invite(
                actor=admin,
                issuer=issuer,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                kind=kind,
                grade_bands=list(form.cleaned_data["grade_bands"]),
            )
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        else:
            role = invitation.role
            who = role.user.name or role.user.email
            what = f"{role.get_kind_display().lower()} of {issuer.name}"
            if invitation.new_account:
                messages.success(
                    request,
                    f"{role.user.email} had no account: we made one and emailed them a link to choose a password. "
                    f"{who} is now {what}.",
                )
            elif held is None:
                messages.success(request, f"{who} is now {what}.")
                seats_fill_waiting_after_commit()
            elif held.grade_bands != role.grade_bands:
                messages.success(request, f"{who}'s grade bands as {what} are changed.")
                seats_fill_waiting_after_commit()
            else:
                messages.info(request, f"{who} is already {what} with these grade bands; nothing changed.")
            return redirect("issuers:reviewers", slug=issuer.slug)
    roster = selectors.roster_for_admin(user=admin, slug=issuer.slug)
    context = {"roster": roster, "issuer": issuer, "form": form}
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "issuers/reviewers.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def role_revoke(request: HttpRequest, slug: str, role_id: int) -> HttpResponse:
    """Confirm, then end a reviewer role. The reviews the person already holds stay theirs (the page says so and
    how many): they were eligible when given them, and the pipeline can reassign them."""
    admin = _user(request)
    role = selectors.role_get_for_admin(user=admin, slug=slug, role_id=role_id)
    back = reverse("issuers:reviewers", args=[role.issuer.slug])
    if request.method == "POST":
        who = role.user.name or role.user.email
        what = f"{role.get_kind_display().lower()} of {role.issuer.name}"
        reviewer_role_revoke(actor=admin, role=role)
        messages.success(request, f"{who} is no longer {what}. No new seat of that kind will go to them.")
        return redirect(back)
    context = {
        "role": role,
        "back": back,
        "open_reviews": selectors.open_reviews_at(user=role.user, issuer_id=role.issuer_id),
        "bands": [GRADE_BANDS[band] for band in role.grade_band_list()],
    }
    return render(request, "issuers/role_revoke.html", context)
