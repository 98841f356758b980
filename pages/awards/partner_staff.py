"""The issuer admin's page of partner universities: which universities offer credit for the issuer's
credentials, who is on their staff, and a form to add someone by email."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import User
from awards import selectors, services
from core.errors import InvalidInput
from pages.awards import forms
from pages.service_errors import form_errors_add


@login_required
@require_http_methods(["GET", "POST"])
def partner_staff(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = selectors.issuer_get_for_admin(user=request.user, slug=slug)
    partners = selectors.partners_for_issuer(issuer=issuer)
    form = forms.PartnerStaffInviteForm(request.POST if request.method == "POST" else None, partners=partners)
    if request.method == "POST" and form.is_valid():
        actor = request.user
        assert isinstance(actor, User)
        try:
            invitation = services.partner_staff_invite(
                actor=actor,
                issuer=issuer,
                partner=form.cleaned_data["partner"],
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
            )
        except InvalidInput as refusal:
            form_errors_add(form, refusal.errors)
        else:
            person = invitation.membership.user
            partner = invitation.membership.partner
            if invitation.already_staff:
                text = f"{person.email} is already on {partner.name}'s staff; nothing was changed or sent."
            elif invitation.new_account:
                text = (
                    f"{person.email} is on {partner.name}'s staff. We made their account and emailed them a link "
                    "to choose its password."
                )
            else:
                text = f"{person.email} is on {partner.name}'s staff. We emailed them to say so."
            messages.success(request, text)
            return redirect("awards:partner_staff", slug=issuer.slug)
    return render(request, "awards/partner_staff.html", {"issuer": issuer, "partners": partners, "form": form})
