"""Confirmations of planning entries: the educator asks a collaborator (signed in, the draft's owner only), and
the collaborator answers through the emailed link (no account: the token is the key). Rules:
submissions/attestations.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from catalog.definition_text import definition_shown
from catalog.schema import ListField
from core.errors import InvalidInput, InvalidState, TooSoon
from pages.submissions.answers import Answer, answer_for
from pages.submissions.context import mine, signed_in, user_of
from submissions.attestations import LINK_VALID, attestation_link_get, entry_states
from submissions.models import Submission
from submissions.services import attestation_answer, attestation_request

NOTE_MAX = 1000


class AskForm(forms.Form):
    email = forms.EmailField(
        label=_("Your collaborator's email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
        error_messages={
            "required": _("Enter your collaborator's email address."),
            "invalid": _("Enter an email address in the form name@example.org."),
        },
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Did this take place as described?"),
        choices=[("confirm", _("Yes, I confirm it")), ("decline", _("No, I cannot confirm it"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you confirm this entry.")},
    )
    note = forms.CharField(
        label=_("A note for them (optional)"),
        required=False,
        max_length=NOTE_MAX,
        help_text=_("Only they read it, not the reviewers. For example, what to correct."),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Shorten your note to %(limit_value)d characters or fewer.")},
    )
    seen = forms.CharField(widget=forms.HiddenInput)


def shown_answers(spec: ListField, entry: dict[str, Any], ref: str) -> list[Answer]:
    """The entry's items the definition shows a collaborator, in words."""
    shown = spec.attestation.show if spec.attestation is not None else []
    items = [item for item in spec.item_fields if item.id in shown]
    return [answer_for(item, entry.get(item.id), ref=f"{ref}.{item.id}") for item in items]


def _entry_state(submission: Submission, field_ref: str, entry_id: str) -> Any:
    states = entry_states(
        submission=submission, definition=submission.version.spec, responses=submission.draft.responses
    )
    return next((s for s in states.get(field_ref, []) if s.entry_id == entry_id), None)


def _ask_page(
    request: HttpRequest, submission: Submission, field_ref: str, entry_id: str, form: AskForm, status: int = 200
) -> HttpResponse:
    state = _entry_state(submission, field_ref, entry_id)
    if state is None:
        # Not an entry of an attested list of this draft (or not saved yet): nothing to ask about here.
        messages.error(request, gettext("Save the entry first: only a saved entry can be confirmed."))
        return redirect("submissions:detail", submission.pk)
    spec = definition_shown(submission.version.spec).field_at(field_ref)
    assert isinstance(spec, ListField)
    context = {
        "submission": submission,
        "credential": submission.credential,
        "state": state,
        "legend": f"{spec.item_label} {state.position}",
        "answers": shown_answers(spec, state.entry, field_ref),
        "form": form,
        "step_url": reverse("submissions:part", args=[submission.pk, field_ref.partition(".")[0]]),
        "valid_days": LINK_VALID.days,
    }
    return render(request, "attestations/ask.html", context, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, submission_id: int, field_ref: str, entry_id: str) -> HttpResponse:
    """The educator's page for one entry: where it stands, and "ask your collaborator to confirm"."""
    submission = mine(request, submission_id)
    if request.method == "GET":
        state = _entry_state(submission, field_ref, entry_id)
        initial = {"email": state.attestation.email} if state is not None and state.attestation is not None else {}
        return _ask_page(request, submission, field_ref, entry_id, AskForm(initial=initial))
    form = AskForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            attestation = attestation_request(
                submission=submission,
                actor=user_of(request),
                field_ref=field_ref,
                entry_id=entry_id,
                email=form.cleaned_data["email"],
            )
        except InvalidInput as refusal:
            for problem in refusal.errors:
                form.add_error("email" if problem.field == "email" else None, problem.message)
        except (TooSoon, InvalidState) as refusal:
            form.add_error(None, refusal.message[0].upper() + refusal.message[1:] + ".")
            status = refusal.status_code
        else:
            messages.success(
                request,
                gettext("We emailed %(email)s a link to confirm the entry.") % {"email": attestation.email},
            )
            step = reverse("submissions:part", args=[submission.pk, field_ref.partition(".")[0]])
            return redirect(f"{step}#attestations")
    submission = mine(request, submission_id)
    return _ask_page(request, submission, field_ref, entry_id, form, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The collaborator's page: opening it records nothing (mail scanners open links), only the posted answer."""
    viewer = request.user if request.user.is_authenticated else None
    link = attestation_link_get(token=token, viewer=viewer)
    if link.attestation is None:
        return render(request, "attestations/answer.html", {"problem": link.problem}, status=410)
    form = AnswerForm(request.POST if request.method == "POST" else None, initial={"seen": link.digest})
    status, notice = 200, ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = attestation_answer(
                token=token, confirm=data["answer"] == "confirm", note=data["note"], seen=data["seen"], viewer=viewer
            )
        except InvalidInput as refusal:
            for problem in refusal.errors:
                form.add_error("note" if problem.field == "note" else None, problem.message)
        except InvalidState as refusal:
            link = attestation_link_get(token=token, viewer=viewer)
            if link.attestation is None:
                return render(request, "attestations/answer.html", {"problem": link.problem}, status=410)
            # The entry changed under the collaborator: show it as it is now, to be read and answered again.
            form = AnswerForm(initial={"seen": link.digest})
            notice = refusal.message
            status = 409
        else:
            educator = done.submission.educator.name
            return render(request, "attestations/answer.html", {"done": done, "educator": educator})
    if form.errors and status == 200:
        status = 422
    assert link.attestation is not None
    assert link.entry is not None
    submission = link.attestation.submission
    spec = definition_shown(submission.version.spec).field_at(link.attestation.field_ref)
    assert isinstance(spec, ListField)
    context = {
        "form": form,
        "educator": submission.educator.name,
        "credential": definition_shown(submission.version.spec).title,
        "issuer": submission.credential.issuer.name,
        "legend": f"{spec.item_label} {link.position}",
        "answers": shown_answers(spec, link.entry, link.attestation.field_ref),
        "notice": notice,
    }
    return render(request, "attestations/answer.html", context, status=status)
