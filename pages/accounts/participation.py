"""Young participants' pages: the participant asks their guardian and advisor (signed in, under 18 only), and
the grown-up answers through the emailed link (no account; the token is the key). Rules: accounts/participants.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import ParticipationConsent, User
from accounts.participants import CONSENT_LINK_VALID, consent_answer, consent_link_get, consent_request
from core.errors import InvalidInput, InvalidState, TooSoon
from pages.service_errors import form_errors_add

Kind = ParticipationConsent.Kind


class ConsentRequestForm(forms.Form):
    contact_name = forms.CharField(
        label=_("Their full name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    contact_email = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
        error_messages={
            "required": _("Enter their email address."),
            "invalid": _("Enter an email address in the form name@example.org."),
        },
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        kwargs["prefix"] = kind
        super().__init__(*args, **kwargs)
        if kind == Kind.GUARDIAN:
            self.fields["contact_name"].required = True
            self.fields["contact_name"].error_messages["required"] = _("Enter your parent's or guardian's name.")
        else:
            self.fields["contact_name"].label = _("Their full name (optional)")


class ConsentAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("give", _("I agree")), ("decline", _("I do not agree"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you agree.")},
    )
    share_outside = forms.BooleanField(
        label=_("Their credentials may also be shared outside microcred (a public page, LinkedIn)"),
        required=False,
        help_text=_("Separate from taking part. Without this tick their credentials stay private to them."),
    )
    signed_name = forms.CharField(
        label=_("Your full name"),
        max_length=150,
        help_text=_("Typing your name signs your answer."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Type your full name to sign your answer.")},
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind != Kind.GUARDIAN:
            del self.fields["share_outside"]


def _minor(request: HttpRequest) -> User:
    # Only a participant under 18 has anyone to ask: to everyone else the page does not exist.
    user = request.user
    if not isinstance(user, User) or not user.is_minor:
        raise Http404("no such page")
    return user


def _page(request: HttpRequest, user: User, bound: dict[str, ConsentRequestForm] | None = None) -> HttpResponse:
    consents = {c.kind: c for c in ParticipationConsent.objects.filter(user=user)}
    sections = []
    for kind in (Kind.GUARDIAN, Kind.ADVISOR):
        consent = consents.get(kind.value)
        initial = {"contact_name": consent.contact_name, "contact_email": consent.contact_email} if consent else {}
        form = (bound or {}).get(kind.value) or ConsentRequestForm(kind=kind.value, initial=initial)
        sections.append({"kind": kind.value, "label": kind.label, "consent": consent, "form": form})
    context = {"sections": sections, "valid_days": CONSENT_LINK_VALID.days}
    return render(request, "accounts/participation.html", context, status=422 if bound else 200)


@require_GET
@login_required
def participation(request: HttpRequest) -> HttpResponse:
    return _page(request, _minor(request))


@require_POST
@login_required
def participation_ask(request: HttpRequest, kind: str) -> HttpResponse:
    user = _minor(request)
    if kind not in Kind.values:
        raise Http404("no such page")
    form = ConsentRequestForm(request.POST, kind=kind)
    if form.is_valid():
        try:
            consent = consent_request(
                user=user,
                kind=kind,
                contact_name=form.cleaned_data["contact_name"],
                contact_email=form.cleaned_data["contact_email"],
            )
        except TooSoon as refusal:
            messages.warning(request, refusal.message[0].upper() + refusal.message[1:] + ".")
            return redirect("accounts:participation")
        except InvalidInput as refusal:
            form_errors_add(form, refusal.errors)
        else:
            messages.success(
                request, gettext("We emailed %(email)s a link to answer.") % {"email": consent.contact_email}
            )
            return redirect("accounts:participation")
    return _page(request, user, {kind: form})


@never_cache
@require_http_methods(["GET", "POST"])
def consent_answer_page(request: HttpRequest, token: str) -> HttpResponse:
    """The grown-up's page: opening it records nothing (mail scanners open links), only the posted answer does."""
    link = consent_link_get(token=token, viewer=request.user if request.user.is_authenticated else None)
    if link.consent is None:
        return render(request, "accounts/consent_answer.html", {"problem": link.problem}, status=410)
    consent = link.consent
    form = ConsentAnswerForm(request.POST if request.method == "POST" else None, kind=consent.kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent = consent_answer(
                token=token,
                give=data["answer"] == "give",
                signed_name=data["signed_name"],
                share_outside=bool(data.get("share_outside")),
                viewer=request.user if request.user.is_authenticated else None,
            )
        except InvalidState as refusal:
            return render(request, "accounts/consent_answer.html", {"problem": refusal.message}, status=410)
        return render(request, "accounts/consent_answer.html", {"consent": consent, "done": True})
    context = {"consent": consent, "form": form, "participant": consent.user.name}
    return render(request, "accounts/consent_answer.html", context, status=422 if form.errors else 200)
