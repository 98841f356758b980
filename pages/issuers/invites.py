"""Invitations to review: the issuer admin sends a waiting one again or revokes it (from the Reviewers page), and
the invitee accepts through the emailed link, which makes their account (or links the one their address has)
and gives the roles. Rules: accounts/reviewer_invites.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.reviewer_invites import (
    invite_link_get,
    reviewer_invite_accept,
    reviewer_invite_resend,
    reviewer_invite_revoke,
    roles_text,
)
from core.errors import InvalidInput, InvalidState, NotAllowed, NotFound
from pages.issuers.forms import InviteAcceptForm
from reviews.selectors.roster import invite_get_for_admin
from reviews.services import seats_fill_waiting_after_commit


def _admin(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_POST
def invite_resend(request: HttpRequest, slug: str, invite_id: int) -> HttpResponse:
    invite = invite_get_for_admin(user=request.user, slug=slug, invite_id=invite_id)
    sent = reviewer_invite_resend(actor=_admin(request), invite=invite)
    messages.success(
        request,
        gettext("We emailed %(email)s the invitation again, with a new link; the link sent before no longer works.")
        % {"email": sent.email},
    )
    return redirect("issuers:reviewers", slug=slug)


@login_required
@require_POST
def invite_revoke(request: HttpRequest, slug: str, invite_id: int) -> HttpResponse:
    invite = invite_get_for_admin(user=request.user, slug=slug, invite_id=invite_id)
    reviewer_invite_revoke(actor=_admin(request), invite=invite)
    messages.success(
        request,
        gettext("The invitation of %(email)s is revoked: its link no longer gives any role.") % {"email": invite.email},
    )
    return redirect("issuers:reviewers", slug=slug)


@never_cache
@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. No sign-in needed: the link is the key, and proves the address."""
    try:
        link = invite_link_get(token=token)
    except NotFound:
        raise Http404("no such invitation") from None
    if link.invite is None:
        return render(request, "issuers/invite_accept.html", {"problem": link.problem}, status=410)
    invite = link.invite
    viewer = request.user if isinstance(request.user, User) else None
    other_account = viewer is not None and viewer.email != invite.email
    form = None if link.has_account else InviteAcceptForm(email=invite.email, initial={"name": invite.name})
    if request.method == "POST" and not other_account:
        if form is not None:
            form = InviteAcceptForm(request.POST, email=invite.email)
        if form is None or form.is_valid():
            try:
                user, _ = reviewer_invite_accept(
                    token=token,
                    name=form.cleaned_data["name"] if form else "",
                    password=form.cleaned_data["password"] if form else "",
                    viewer=viewer,
                )
            except InvalidInput as refusal:
                assert form is not None
                form.add_service_errors(refusal.errors)
            except (InvalidState, NotAllowed) as refusal:
                return render(request, "issuers/invite_accept.html", {"problem": refusal.message}, status=409)
            else:
                seats_fill_waiting_after_commit()
                done = gettext("You now review for %(name)s as %(roles)s.") % {
                    "name": invite.issuer.name,
                    "roles": roles_text(invite.kinds, invite.grade_band_list()),
                }
                if viewer is None and form is not None:
                    # The account was made just now with the password typed here: signing in is the next step
                    # anyway, and the link has proved the address.
                    login(request, user, backend="accounts.backends.AccountBackend")
                    viewer = user
                if viewer is None:
                    messages.success(request, f"{done} Sign in to see your review queue.")
                    return redirect(f"{reverse('accounts:login')}?next={reverse('reviews:queue')}")
                messages.success(request, f"{done} Your queue starts with the calibration samples.")
                return redirect("reviews:queue")
    context = {
        "invite": invite,
        "roles": roles_text(invite.kinds, invite.grade_band_list()),
        "invited_by": (invite.invited_by.name or invite.invited_by.email) if invite.invited_by else "",
        "form": form,
        "other_account": other_account,
        "viewer": viewer,
    }
    status = 422 if form is not None and form.is_bound and form.errors else (403 if other_account else 200)
    return render(request, "issuers/invite_accept.html", context, status=status)
