"""The educator's appeal pages, mounted at /appeals/: the form for one attempt's "not yet earned" decision and
the appeal's status. Only the educator who owns the attempt reaches them (404 for anyone else, through the
reviews selectors); the issuer's admins see the appeal on the attempt's record page instead."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.errors import InvalidInput, InvalidState, NotAllowed
from pages.appeals.forms import AppealForm
from reviews.selectors.appeals import appeal_form_for_educator, appeal_get_for_educator
from reviews.services.appeals import MAX_REASON_WORDS, MIN_REASON_WORDS
from workflow import services as workflow


@login_required
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """GET: the form (or why an appeal cannot be made); POST: the appeal, then its status page."""
    offer = appeal_form_for_educator(user=request.user, attempt_id=attempt_id)
    if offer.appeal is not None:
        return redirect("appeals:status", appeal_id=offer.appeal.pk)
    form = AppealForm(request.POST if request.method == "POST" else None, criteria=offer.criteria)
    refusal = offer.refusal
    if request.method == "POST" and refusal is None and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        try:
            appeal = workflow.appeal_request(attempt=offer.attempt, educator=user, reasons=form.reasons())
        except InvalidInput as problem:
            form.add_service_errors(problem.errors)
        except (InvalidState, NotAllowed) as problem:
            refusal = problem.message
        else:
            messages.success(request, gettext("Your appeal is sent. You will be told when it is decided."))
            return redirect("appeals:status", appeal_id=appeal.pk)
    status = 200
    if request.method == "POST" and (refusal or form.errors):
        status = 409 if refusal else 422
    context = {
        "offer": offer,
        "form": form,
        "refusal": refusal,
        "credential": offer.attempt.version.spec.title,
        "min_words": MIN_REASON_WORDS,
        "max_words": MAX_REASON_WORDS,
    }
    return render(request, "appeals/request.html", context, status=status)


@login_required
@require_GET
def status(request: HttpRequest, appeal_id: int) -> HttpResponse:
    view = appeal_get_for_educator(user=request.user, appeal_id=appeal_id)
    return render(request, "appeals/status.html", {"view": view})
