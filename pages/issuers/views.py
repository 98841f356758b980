"""An issuer admin's Reviewers page: the people holding the issuer's reviewer roles (their roles and grade bands,
calibration, capacity and load, on-time rate, paused or not) and the invitations still waiting; inviting a
person by email address with one or more roles (an account gets them at once, an address with none an
invitation: accounts/reviewer_invites.py); one person's page to pause, resume and change capacity, with their
history; ending a role after a confirmation.

Thin: reads come through reviews selectors (404 for anyone but the issuer's own admins and platform admins),
changes through accounts' services (audited there, with the admin as actor). A change that may make someone
eligible for a seat that waits (a new role, a resume, more capacity) has the waiting seats tried again once it
has committed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.reviewer_invites import KIND_ORDER, InviteOutcome, reviewer_invite, roles_text
from accounts.reviewer_roles import reviewer_capacity_set, reviewer_pause, reviewer_resume, reviewer_role_revoke
from catalog.models import Issuer
from catalog.schema import GRADE_BANDS
from core.errors import InvalidInput
from pages.issuers.forms import CapacityForm, PauseForm, RoleGrantForm
from reviews.selectors.roster import (
    ON_TIME_WINDOW,
    issuer_get_for_admin,
    issuers_for_admin,
    open_reviews_at,
    reviewer_for_admin,
    reviewer_history_for_admin,
    reviewer_user_get_for_admin,
    role_get_for_admin,
    roster_for_admin,
)
from reviews.services import seats_fill_waiting_after_commit


def _user(request: HttpRequest) -> User:
    # login_required has run, so this is a real account.
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
def reviewers_home(request: HttpRequest) -> HttpResponse:
    """The issuers whose reviewers this admin manages; straight to the one page when there is one."""
    issuers = issuers_for_admin(user=request.user)
    if len(issuers) == 1:
        return redirect("issuers:reviewers", slug=issuers[0].slug)
    return render(request, "issuers/reviewers_home.html", {"issuers": issuers})


def _invite_messages(request: HttpRequest, issuer: Issuer, outcome: InviteOutcome) -> None:
    if outcome.invite is not None:
        invite = outcome.invite
        messages.success(
            request,
            gettext(
                "%(email)s has no account yet: we emailed them an invitation to review as %(roles)s. It waits under "
                "Invitations until they accept."
            )
            % {"email": invite.email, "roles": roles_text(invite.kinds, invite.grade_band_list())},
        )
        return
    assert outcome.user is not None
    who = outcome.user.name or outcome.user.email

    def what(roles: list[Any]) -> str:
        kinds = sorted((role.kind for role in roles), key=KIND_ORDER.index)
        return gettext("%(roles)s of %(issuer)s") % {"roles": roles_text(kinds, []), "issuer": issuer.name}

    if outcome.granted:
        messages.success(
            request,
            gettext("%(who)s is now %(what)s. We emailed them to say so.")
            % {"who": who, "what": what(outcome.granted)},
        )
    if outcome.changed:
        messages.success(
            request,
            gettext("%(who)s's grade bands as %(what)s are changed.") % {"who": who, "what": what(outcome.changed)},
        )
    if outcome.unchanged:
        messages.info(
            request,
            gettext("%(who)s is already %(what)s with these grade bands; nothing changed.")
            % {"who": who, "what": what(outcome.unchanged)},
        )


@login_required
@require_http_methods(["GET", "POST"])
def reviewers(request: HttpRequest, slug: str) -> HttpResponse:
    admin = _user(request)
    issuer = issuer_get_for_admin(user=admin, slug=slug)
    form = RoleGrantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = reviewer_invite(
                actor=admin,
                issuer=issuer,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                kinds=list(form.cleaned_data["kind"]),
                grade_bands=list(form.cleaned_data["grade_bands"]),
            )
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        else:
            _invite_messages(request, issuer, outcome)
            if outcome.granted or outcome.changed:
                seats_fill_waiting_after_commit()
            return redirect("issuers:reviewers", slug=issuer.slug)
    roster = roster_for_admin(user=admin, slug=issuer.slug)
    context = {"roster": roster, "issuer": issuer, "form": form}
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "issuers/reviewers.html", context, status=status)


def _person_page(
    request: HttpRequest,
    slug: str,
    user_id: int,
    *,
    pause_form: PauseForm | None = None,
    capacity_form: CapacityForm | None = None,
) -> HttpResponse:
    admin = _user(request)
    person = reviewer_for_admin(user=admin, slug=slug, user_id=user_id)
    issuer = issuer_get_for_admin(user=admin, slug=slug)
    bound = pause_form if pause_form is not None and pause_form.errors else capacity_form
    context = {
        "issuer": issuer,
        "person": person,
        "history": reviewer_history_for_admin(user=admin, slug=slug, user_id=user_id),
        "pause_form": pause_form or PauseForm(),
        "capacity_form": capacity_form or CapacityForm(initial={"capacity": person.capacity}),
        "form": bound,  # the error summary's
        "on_time_days": ON_TIME_WINDOW.days,
        "back": reverse("issuers:reviewers", args=[issuer.slug]),
    }
    status = 422 if bound is not None and bound.errors else 200
    return render(request, "issuers/reviewers_person.html", context, status=status)


@login_required
@require_GET
def reviewer(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """One reviewer: their roles, calibration, load and on-time rate; pause or resume them, change their
    capacity; what was changed about them here, by whom."""
    return _person_page(request, slug, user_id)


@login_required
@require_POST
def reviewer_pause_view(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    admin = _user(request)
    issuer, person = reviewer_user_get_for_admin(user=admin, slug=slug, user_id=user_id)
    form = PauseForm(request.POST)
    if form.is_valid():
        try:
            pause = reviewer_pause(
                actor=admin,
                user=person,
                issuer=issuer,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        else:
            values = {"who": person.name or person.email, "issuer": issuer.name}
            if pause.until:
                text = gettext(
                    "%(who)s is paused at %(issuer)s until %(day)s: no new review of %(issuer)s goes to them. The "
                    "reviews they hold stay theirs."
                ) % {**values, "day": f"{pause.until:%-d %b %Y}"}
            else:
                text = (
                    gettext(
                        "%(who)s is paused at %(issuer)s until you resume them: no new review of %(issuer)s goes to "
                        "them. The reviews they hold stay theirs."
                    )
                    % values
                )
            messages.success(request, text)
            return redirect("issuers:reviewer", slug=issuer.slug, user_id=person.pk)
    return _person_page(request, slug, user_id, pause_form=form)


@login_required
@require_POST
def reviewer_resume_view(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    admin = _user(request)
    issuer, person = reviewer_user_get_for_admin(user=admin, slug=slug, user_id=user_id)
    who = person.name or person.email
    if reviewer_resume(actor=admin, user=person, issuer=issuer):
        seats_fill_waiting_after_commit()
        messages.success(
            request,
            gettext("%(who)s is active again at %(issuer)s: new reviews may go to them.")
            % {"who": who, "issuer": issuer.name},
        )
    else:
        messages.info(
            request,
            gettext("%(who)s was not paused at %(issuer)s; nothing changed.") % {"who": who, "issuer": issuer.name},
        )
    return redirect("issuers:reviewer", slug=issuer.slug, user_id=person.pk)


@login_required
@require_POST
def reviewer_capacity_view(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    admin = _user(request)
    issuer, person = reviewer_user_get_for_admin(user=admin, slug=slug, user_id=user_id)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            profile = reviewer_capacity_set(
                actor=admin, user=person, issuer=issuer, capacity=form.cleaned_data["capacity"]
            )
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        else:
            seats_fill_waiting_after_commit()
            messages.success(
                request,
                ngettext(
                    "%(who)s now holds at most %(count)s open review at once.",
                    "%(who)s now holds at most %(count)s open reviews at once.",
                    profile.capacity,
                )
                % {"who": person.name or person.email, "count": profile.capacity},
            )
            return redirect("issuers:reviewer", slug=issuer.slug, user_id=person.pk)
    return _person_page(request, slug, user_id, capacity_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def role_revoke(request: HttpRequest, slug: str, role_id: int) -> HttpResponse:
    """Confirm, then end a reviewer role. The reviews the person already holds stay theirs (the page says so and
    how many): they were eligible when given them, and the pipeline can reassign them."""
    admin = _user(request)
    role = role_get_for_admin(user=admin, slug=slug, role_id=role_id)
    back = reverse("issuers:reviewers", args=[role.issuer.slug])
    if request.method == "POST":
        who = role.user.name or role.user.email
        what = gettext("%(kind)s of %(issuer)s") % {"kind": role.get_kind_display().lower(), "issuer": role.issuer.name}
        reviewer_role_revoke(actor=admin, role=role)
        messages.success(
            request,
            gettext("%(who)s is no longer %(what)s. No new seat of that kind will go to them.")
            % {"who": who, "what": what},
        )
        return redirect(back)
    context = {
        "role": role,
        "back": back,
        "open_reviews": open_reviews_at(user=role.user, issuer_id=role.issuer_id),
        "bands": [GRADE_BANDS[band] for band in role.grade_band_list()],
    }
    return render(request, "issuers/role_revoke.html", context)
