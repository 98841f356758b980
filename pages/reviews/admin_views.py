"""The issuer admins' review pages: the pipeline, an attempt's record, reassigning a review, granting another attempt
and overriding a decision. Thin like the reviewer's pages (pages/reviews/views.py): every object comes through a
reviews selector, every change through one service."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.errors import InvalidInput, InvalidState, NotAllowed
from core.fragments import (
    fragment_get,
    fragment_key,
    fragment_set,
    person_page_get,
    person_page_kept,
    person_page_key,
    person_page_mark,
    person_page_render,
)
from pages.reviews import forms
from pages.reviews.paging import page_number
from reviews import selectors, services
from reviews.models import AssignmentState, DecisionOutcome
from workflow import services as workflow
from workflow.retention import attempt_retention


def _user(request: HttpRequest) -> User:
    # login_required has run, so this is a real account.
    assert isinstance(request.user, User)
    return request.user


@dataclass(frozen=True)
class PipelineBody:
    """The pipeline page's content as drawn, kept by core.fragments."""

    html: str


@login_required
@require_GET
def pipeline(request: HttpRequest) -> HttpResponse:
    """My issuers' attempts, a page at a time: waiting for reviewers, overdue, in review, and the latest decisions;
    those under review with a box to tick for the bulk actions.

    The whole page is kept for this admin (core.fragments.person_page_key) under the state of what it shows
    (reviews.selectors.pipeline_page_state: its reads' rows as they come, and which open assignments are past due
    now), and drawn from that very state when it is new, so an unchanged page is sent without making a row or
    drawing it, and what is kept always matches its key; while the change log (core/changes.py) shows no write to
    the admin's issuers or the names since it was kept, and no open assignment has fallen due, it is sent without
    reading the state at all. Its content is also kept under a key made of every value it shows (for a page that
    cannot be kept whole: a message waiting, a later page)."""
    number, now = page_number(request), timezone.now()
    whole = person_page_key(request, "reviews.pipeline.page")
    sent, entry = person_page_kept(request, whole)
    if sent is not None:
        return sent
    scopes, until = selectors.pipeline_page_scopes, selectors.pipeline_page_changes_at
    mark = person_page_mark(whole, scopes)
    state = selectors.pipeline_page_state(user=request.user, page=number, now=now)
    kept = person_page_get(request, whole, state, entry, mark=mark, scopes=scopes, until=until)
    if kept is not None:
        return kept
    # The issuers: each one's Exports page is linked.
    pipeline, issuers = selectors.pipeline_from_state(state, now)
    # Attempts under review can be ticked for the bulk actions (pages/reviews/bulk.py); decided ones have no
    # open review to act on.
    under_review = bool(pipeline.waiting or pipeline.overdue or pipeline.in_review)
    context = {"pipeline": pipeline, "under_review": under_review, "issuers": issuers}
    shown = (pipeline, under_review, [(i.slug, i.name) for i in issuers])
    # The admin's own id in the key too: a drawn pipeline is only read back for the person it was drawn for.
    key = fragment_key("reviews.pipeline", request.user.pk, *shown)
    body = fragment_get(key, PipelineBody)
    if body is None:
        body = PipelineBody(html=render_to_string("reviews/_pipeline_body.html", context, request))
        fragment_set(key, body)
    return person_page_render(
        request,
        "reviews/pipeline.html",
        # Drawn and escaped by our templates.
        {"body": SafeString(body.html)},
        key=whole,
        state=state,
        mark=mark,
        scopes=scopes,
        until=until,
    )


@login_required
@require_GET
def attempt_record(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """One attempt for its issuer's admins: its panel, its decision with the scores, and its audit log."""
    record = selectors.attempt_record_for_admin(user=request.user, attempt_id=attempt_id)
    feedback = (
        selectors.feedback_for_attempt(attempt=record.attempt, viewer=request.user)
        if record.decision is not None
        else None
    )
    context = {
        "record": record,
        "feedback": feedback,
        "retention": attempt_retention(attempt=record.attempt),
        "evidence": selectors.evidence_for_admin(attempt=record.attempt),
    }
    return render(request, "reviews/attempt_record.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reassign(request: HttpRequest, assignment_id: int) -> HttpResponse:
    admin = _user(request)
    assignment = selectors.assignment_get_for_admin(user=admin, assignment_id=assignment_id)
    back = reverse("reviews:attempt_record", args=[assignment.attempt_id])
    if assignment.state != AssignmentState.OPEN:
        messages.info(request, gettext("This review is no longer open, so it cannot be reassigned."))
        return redirect(back)
    reviewers = selectors.reassign_choices(user=admin, assignment=assignment)
    form = forms.ReassignForm(request.POST if request.method == "POST" else None, reviewers=reviewers)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["to_reviewer"]
        target = next((p.user for p in reviewers if p.user.email == email), None) if email else None
        try:
            replacement = services.assignment_reassign(
                assignment=assignment, admin=admin, reason=form.cleaned_data["reason"], to_reviewer=target
            )
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        except (InvalidState, NotAllowed) as refusal:
            messages.error(
                request, gettext("The review was not reassigned: %(message)s.") % {"message": refusal.message}
            )
            return redirect(back)
        else:
            if replacement is None:
                messages.warning(
                    request, gettext("The review is reassigned. No eligible reviewer is free: the seat waits.")
                )
            else:
                who = replacement.reviewer.name or replacement.reviewer.email
                messages.success(request, gettext("The review is reassigned to %(who)s.") % {"who": who})
            return redirect(back)
    context = {"form": form, "assignment": assignment, "back": back}
    return render(request, "reviews/reassign.html", context, status=422 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def extra_attempt(request: HttpRequest, submission_id: int) -> HttpResponse:
    admin = _user(request)
    submission = selectors.submission_get_for_admin(user=admin, submission_id=submission_id)
    status = selectors.resubmission_status(submission=submission)
    form = forms.ExtraAttemptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attempt_grant_extra(admin=admin, submission=submission, reason=form.cleaned_data["reason"])
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        except (InvalidState, NotAllowed) as refusal:
            messages.error(request, gettext("No attempt was granted: %(message)s.") % {"message": refusal.message})
            return redirect("reviews:pipeline")
        else:
            messages.success(
                request,
                gettext("Candidate C-%(submission_pk)s may make one more attempt. They are told by email.")
                % {"submission_pk": submission.pk},
            )
            return redirect(_back_to_attempt(request))
    context = {
        "form": form,
        "submission": submission,
        "candidate": f"C-{submission.pk}",
        "status": status,
        "back": _back_to_attempt(request),
    }
    return render(request, "reviews/extra_attempt.html", context, status=422 if form.is_bound and form.errors else 200)


def _back_to_attempt(request: HttpRequest) -> str:
    """Where the form came from: an attempt record (only a path on this site is followed)."""
    source = request.POST.get("next_attempt") or request.GET.get("from", "")
    return source if source.startswith("/reviews/admin/attempts/") else reverse("reviews:pipeline")


@login_required
@require_http_methods(["GET", "POST"])
def override(request: HttpRequest, decision_id: int) -> HttpResponse:
    admin = _user(request)
    decision = selectors.decision_get_for_admin(user=admin, decision_id=decision_id)
    back = reverse("reviews:attempt_record", args=[decision.attempt_id])
    form = forms.OverrideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.decision_override(
                admin=admin, decision=decision, outcome=form.cleaned_data["outcome"], reason=form.cleaned_data["reason"]
            )
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        except (InvalidState, NotAllowed) as refusal:
            messages.error(
                request, gettext("The decision was not overridden: %(message)s.") % {"message": refusal.message}
            )
            return redirect(back)
        else:
            label = DecisionOutcome(form.cleaned_data["outcome"]).label.lower()
            messages.success(
                request, gettext("The decision is now %(label)s. The educator is told by email.") % {"label": label}
            )
            return redirect(back)
    context = {
        "form": form,
        "decision": decision,
        "candidate": f"C-{decision.attempt.submission_id}",
        "outcome_label": DecisionOutcome(decision.outcome).label,
        "back": back,
    }
    return render(request, "reviews/override.html", context, status=422 if form.is_bound and form.errors else 200)
