"""The pipeline's bulk actions: the attempts ticked on the pipeline, what to do with them (extend their reviews'
deadline by some days, move their reviews to one reviewer, remind their reviewers), a confirmation page that
lists what will happen to each review (refusals named with their reason), and then doing it.

Thin: the attempts come through reviews.selectors.bulk (the whole list 404s when any is not the admin's), the
preview and the change through reviews.services.bulk.bulk_run, which audits each change with the admin as actor.
No JavaScript: the pipeline's form asks with GET for this page, whose Confirm button POSTs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core.errors import FieldError, InvalidInput
from core.limits import MAX_ID
from reviews.selectors.bulk import bulk_attempts, bulk_reviewer_choices
from reviews.services.bulk import ACTIONS, MAX_EXTEND_DAYS, BulkReport, bulk_run

FIELDS = ("action", "days", "to_reviewer", "reason")


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("What to do"),
        choices=list(ACTIONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what to do with the chosen attempts")},
    )
    days = forms.IntegerField(
        label=gettext_lazy("Days to extend by"),
        required=False,
        min_value=1,
        max_value=MAX_EXTEND_DAYS,
        help_text=format_lazy(
            gettext_lazy("For extending the deadline: 1 to {days} days, added to each open review's due date."),
            days=MAX_EXTEND_DAYS,
        ),
        error_messages={
            "invalid": gettext_lazy("Enter a whole number of days, such as 7"),
            "min_value": gettext_lazy("Enter at least 1 day"),
            "max_value": format_lazy(gettext_lazy("Enter at most {days} days"), days=MAX_EXTEND_DAYS),
        },
    )
    to_reviewer = forms.ChoiceField(
        label=gettext_lazy("Reviewer who takes the reviews over"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a reviewer from the list")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Why the reviews are moved"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in each attempt's record and told to the reviewer who loses the review."),
    )

    def __init__(self, *args: Any, reviewers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_reviewer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext("Choose a reviewer")), *((r.email, r.label) for r in reviewers)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "extend" and data.get("days") is None and "days" not in self.errors:
            self.add_error(
                "days",
                gettext("Enter the number of days to extend by, 1 to %(max_extend_days)s")
                % {"max_extend_days": MAX_EXTEND_DAYS},
            )
        if action == "reassign":
            if not data.get("to_reviewer") and "to_reviewer" not in self.errors:
                self.add_error("to_reviewer", gettext("Choose the reviewer who takes the reviews over"))
            if not (data.get("reason") or "").strip() and "reason" not in self.errors:
                self.add_error("reason", gettext("Say why the reviews are moved to someone else"))
        return data

    def add_service_errors(self, errors: list[FieldError]) -> None:
        for error in errors:
            self.add_error(error.field if error.field in self.fields else None, error.message)


def _attempt_ids(data: Any) -> list[int]:
    """The ticked attempts; an id that is not one (text, or past what a key holds) is a 404, as in a path."""
    ids = []
    for raw in data.getlist("attempt"):
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
            raise Http404("no such attempt")
        ids.append(int(raw))
    return ids


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def bulk(request: HttpRequest) -> HttpResponse:
    admin = _user(request)
    data = request.POST if request.method == "POST" else request.GET
    ids = _attempt_ids(data)
    if not ids:
        messages.error(request, gettext("Choose at least one attempt (tick its box) before choosing what to do."))
        return redirect("reviews:pipeline")
    attempts = bulk_attempts(user=admin, attempt_ids=ids)
    reviewers = bulk_reviewer_choices(attempts=attempts)
    form = BulkForm(data, reviewers=reviewers)
    context: dict[str, Any] = {"form": form, "attempts": attempts, "report": None}
    if form.is_valid():
        values = form.cleaned_data
        try:
            report = bulk_run(
                admin=admin,
                action=values["action"],
                attempt_ids=ids,
                days=values.get("days"),
                to_reviewer=values.get("to_reviewer") or None,
                reason=values.get("reason") or "",
                apply=request.method == "POST",
            )
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        else:
            if report.applied:
                _tell(request, report)
                return redirect("reviews:pipeline")
            context["report"] = report
            context["action_label"] = ACTIONS[report.action]
    # Arriving from the pipeline with a choice that needs more (a reviewer, a reason) is not yet a mistake.
    show_errors = data.get("step") == "details" or request.method == "POST" or any(data.get(n) for n in form.errors)
    if form.errors and not show_errors:
        initial = {name: data.get(name) for name in FIELDS if data.get(name)}
        form = BulkForm(initial=initial, reviewers=reviewers)
        context["form"] = form
    status = 422 if form.errors else 200
    return render(request, "reviews/bulk.html", context, status=status)


def _tell(request: HttpRequest, report: BulkReport) -> None:
    done = len(report.done)
    what = {
        "extend": gettext("deadline extended"),
        "reassign": gettext("reassigned"),
        "remind": gettext("reviewer reminded"),
    }[report.action]
    if done:
        messages.success(
            request,
            ngettext("%(done)s review: %(what)s.", "%(done)s reviews: %(what)s.", done) % {"done": done, "what": what},
        )
    for line in report.refused:
        who = (
            gettext("%(reviewer)s's review of %(candidate)s") % {"reviewer": line.reviewer, "candidate": line.candidate}
            if line.reviewer
            else line.candidate
        )
        messages.warning(request, gettext("Not done: %(who)s: %(detail)s.") % {"who": who, "detail": line.detail})
