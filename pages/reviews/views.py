"""The reviewer's pages: the review queue, calibration, the scoring page (with its final confirmation and
declining). The issuer admins' review pages are in pages/reviews/admin_views.py.

Thin, as the style asks: every object comes through a reviews selector (404 for anyone who may not see it; the
candidate's identity never reaches a reviewer's page because the selector has already taken it out), every change
through one service. The pages work without JavaScript; with it, htmx autosaves the scores by posting the scoring
form to its own view, which answers with the save status (static/js/review.js retries a save that did not arrive).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from catalog.definition_text import definition_shown
from catalog.schema import CredentialDefinition
from core.errors import FieldError, InvalidInput, InvalidState, NotAllowed
from core.fragments import fragment_get, fragment_key, fragment_set, person_page
from pages.reviews import forms
from pages.reviews.paging import page_number
from pages.reviews.queue_page import QueuePage
from pages.submissions.answers import answer_for
from pages.submissions.context import HtmxHttpRequest
from pages.submissions.steps import field_id
from reviews import selectors, services
from reviews.models import Assignment, AssignmentState
from reviews.selectors import ReviewerAttemptView
from reviews.selectors.queue import QUEUE_PAGE_SIZE
from workflow import services as workflow


def _user(request: HttpRequest) -> User:
    # login_required has run, so this is a real account.
    assert isinstance(request.user, User)
    return request.user


# ----- reviewer: queue ---------------------------------------------------------------------------------------


def _queue_status(assignment: Assignment) -> str:
    if assignment.state == AssignmentState.SUBMITTED:
        return gettext("Review submitted")
    return (
        gettext("Scores saved, not submitted") if getattr(assignment, "review_state", None) else gettext("Not started")
    )


@dataclass(frozen=True)
class QueueBody:
    """The queue page's content as drawn (pages/reviews/views.py queue), kept by core.fragments."""

    html: str


def _queue_row_state(row: dict[str, Any]) -> tuple[Any, ...]:
    """Every value a queue row shows (reviews/_queue_body.html), for the key of the drawn page."""
    a = row["assignment"]
    return (
        a.pk,
        a.state,
        a.credential_title,
        a.issuer_name,
        a.attempt_number,
        a.seat.title,
        a.seat.role,
        a.due_at,
        row["overdue"],
        row["status"],
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """My assignments (by reference, never the candidate's name) and my calibration for each credential I review:
    every open one, and the submitted ones QUEUE_PAGE_SIZE a page (newest first) since that list only grows.
    A flat number of queries however long the queue is.

    What the page draws is kept (core.fragments), never invalidated by name. The first page, the one a reviewer
    comes back to, is kept whole (core.fragments.person_page) under the state of everything it is drawn from
    (reviews.selectors.queue_page_state: three small queries whose SQL is built once), so an unchanged queue is
    sent without reading its rows through the ORM or drawing them again; any change (a new assignment, a save, a
    due date, a title, a calibration result, the moment an assignment becomes overdue) is another state, drawn at
    once. The state itself is read only when the change log (core/changes.py) shows a write to the reviewer's
    scope or the names since the page was kept, or an assignment has fallen due. What each page draws is also kept
    under every value it shows (_queue_body)."""
    user = _user(request)
    number = page_number(request)
    now = timezone.now()
    return person_page(
        request,
        "reviews.queue",
        "reviews/queue.html",
        # Drawn and escaped by our template.
        lambda: {"body": SafeString(_queue_body(request, user, number, now).html)},
        # A later page has a query string, so it is never kept whole: no state to read for it.
        lambda: selectors.queue_page_state(user=user, now=now) if number == 1 else None,
        scopes=selectors.queue_page_scopes,
        until=selectors.queue_page_changes_at,
    )


def _queue_body(request: HttpRequest, user: User, number: int, now: datetime) -> QueueBody:
    open_assignments = list(selectors.assignments_for_reviewer(user=user))
    submitted = selectors.submitted_assignments_for_reviewer(user=user)
    # One row past the page says whether another follows, so no query counts a list that only grows.
    done = list(submitted[(number - 1) * QUEUE_PAGE_SIZE : number * QUEUE_PAGE_SIZE + 1])
    done_page = QueuePage(number=number, has_next=len(done) > QUEUE_PAGE_SIZE)
    done = done[:QUEUE_PAGE_SIZE]
    credentials = selectors.credentials_for_reviewer(user=user)
    if not open_assignments and not done and not credentials and (number == 1 or not submitted.exists()):
        raise Http404("you review for no issuer")

    def row(a: Assignment) -> dict[str, Any]:
        return {
            "assignment": a,
            "reference": f"R-{a.pk}",
            "overdue": a.state == AssignmentState.OPEN and (a.overdue_at is not None or a.due_at <= now),
            "status": _queue_status(a),
        }

    open_rows, done_rows = [row(a) for a in open_assignments], [row(a) for a in done]
    context = {"open_rows": open_rows, "done_rows": done_rows, "done_page": done_page, "credentials": credentials}
    # Also kept under every value it shows (the later pages, and a first page whose state changed in what it does
    # not show). The reviewer's own id in the key as well: a drawn queue is only read back for its own reviewer.
    key = fragment_key(
        "reviews.queue",
        user.pk,
        [_queue_row_state(r) for r in open_rows],
        [_queue_row_state(r) for r in done_rows],
        done_page,
        credentials,
    )
    body = fragment_get(key, QueueBody)
    if body is None:
        body = QueueBody(html=render_to_string("reviews/_queue_body.html", context, request))
        fragment_set(key, body)
    return body


# ----- reviewer: scoring ---------------------------------------------------------------------------------------


def _part_titles(view: ReviewerAttemptView) -> dict[str, str]:
    return {part.id: part.title for part in view.parts}


def scoring_context(
    view: ReviewerAttemptView,
    definition: CredentialDefinition,
    *,
    scores: dict[str, dict[str, str]] | None = None,
    errors: list[FieldError] | None = None,
) -> dict[str, Any]:
    """The page's parts, each with its answers (marked where a resubmission changed them), its evidence and the
    criteria that judge it, so a reviewer scores a part beside what it says. Takes the definition rather than a
    saved version, so the authoring preview draws a draft's scoring page with it."""
    specs = {f"{part.id}.{spec.id}": spec for part in definition.parts for spec in part.fields}
    changes = {c.ref: c for c in view.resubmission.changes} if view.resubmission else {}
    earlier = {c.id: c for c in view.resubmission.feedback.criteria} if view.resubmission else {}
    ratings = {r["criterion"]: r for r in view.self_evaluation}
    criteria = forms.criterion_scores(
        view.rubric,
        view.my_scores if scores is None else scores,
        part_titles=_part_titles(view),
        errors=errors or [],
        disputed=view.disputed,
    )
    for criterion in criteria:
        criterion.self_evaluation = ratings.get(criterion.id)
        criterion.earlier = earlier.get(criterion.id)
    parts = []
    for part in view.parts:
        answers = []
        for item in part.fields:
            spec = specs.get(item.ref)
            if spec is None:
                continue
            change = changes.get(item.ref)
            answers.append(
                {
                    "ref": item.ref,
                    "answer": answer_for(spec, item.value, ref=item.ref),
                    "changed": change is not None and change.changed,
                    "previous": answer_for(spec, change.previous, ref=item.ref) if change and change.changed else None,
                }
            )
        parts.append(
            {
                "id": part.id,
                "title": part.title,
                "answers": answers,
                "evidence": [e for e in view.evidence if e.field.startswith(f"{part.id}.")],
                "criteria": [c for c in criteria if c.part == part.id],
            }
        )
    passing_label = next(lv["label"] for lv in view.rubric["levels"] if lv["id"] == view.rubric["passing_level"])
    return {
        "view": view,
        "parts": parts,
        "whole_criteria": [c for c in criteria if c.part is None],
        "criteria": criteria,
        "changed": [
            {"label": c.label, "anchor": field_id(c.ref) + "-answer"}
            for c in (view.resubmission.changes if view.resubmission else [])
            if c.changed
        ],
        "error_list": forms.error_links(errors or [], criteria),
        "editable": view.assignment_state == AssignmentState.OPEN,
        "passing_label": passing_label,
        "min_words": services.MIN_COMMENT_WORDS,
        "overdue": view.assignment_state == AssignmentState.OPEN and view.due_at <= timezone.now(),
        "save_page": secrets.token_hex(8),
    }


def _render_scoring(
    request: HttpRequest,
    assignment_id: int,
    *,
    scores: dict[str, dict[str, str]] | None = None,
    errors: list[FieldError] | None = None,
    saved: bool = True,
    status: int = 200,
) -> HttpResponse:
    view = selectors.attempt_get_for_reviewer(user=request.user, assignment_id=assignment_id)
    assignment = selectors.assignment_get_for_reviewer(user=request.user, assignment_id=assignment_id)
    context = scoring_context(view, definition_shown(assignment.attempt.version.spec), scores=scores, errors=errors)
    context["errors_saved"] = saved
    return render(request, "reviews/score.html", context, status=status)


def _autosaved(
    request: HttpRequest,
    view: ReviewerAttemptView,
    scores: dict[str, dict[str, str]],
    *,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    """For htmx's autosave of the scoring page: the save status and, for each criterion, whether its comments are
    now required, swapped into the page out of band (the page's own controls stay as the reviewer left them)."""
    passing_label = next(lv["label"] for lv in view.rubric["levels"] if lv["id"] == view.rubric["passing_level"])
    context = {
        "criteria": forms.criterion_scores(view.rubric, scores, part_titles=_part_titles(view)),
        "passing_label": passing_label,
        "problem": problem,
    }
    return render(request, "reviews/_score_saved.html", context, status=status)


def _save_order(request: HttpRequest) -> services.SaveOrder | None:
    """The page token and step the scoring form sends with each save. static/js/review.js counts the steps from 1;
    step 0 is a page that does not count (no script, or a script cached from before), whose saves apply as they come."""
    page = request.POST.get("save_page", "")[:32]
    step = request.POST.get("save_step", "0")
    if not page or step == "0":
        return None
    # isdecimal alone would let "²" through to int(), and "٣" is not what the script sends: ASCII digits only.
    return services.SaveOrder(page, int(step) if step.isascii() and step.isdecimal() else -1)


@login_required
@require_http_methods(["GET", "POST"])
def score(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    """The anonymised attempt with the rubric. POST saves the scores (action=save) or saves them and, when nothing
    is missing, goes on to the final confirmation (action=submit)."""
    if request.method == "GET":
        return _render_scoring(request, assignment_id)
    user = _user(request)
    assignment = selectors.assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    view = selectors.attempt_get_for_reviewer(user=user, assignment_id=assignment_id)
    posted = forms.parse_scores(view.rubric, request.POST)
    order = _save_order(request)
    try:
        review = services.review_save(assignment=assignment, reviewer=user, scores=posted, order=order)
    except InvalidInput as refusal:
        if request.htmx:
            return _autosaved(request, view, posted, problem="; ".join(e.message for e in refusal.errors), status=422)
        return _render_scoring(request, assignment_id, scores=posted, errors=refusal.errors, saved=False, status=422)
    except (InvalidState, NotAllowed) as refusal:
        if request.htmx:
            return _autosaved(request, view, posted, problem=refusal.message, status=409)
        messages.error(request, gettext("Your scores were not saved: %(message)s.") % {"message": refusal.message})
        return redirect("reviews:score", assignment_id=assignment_id)
    if order is not None and review.saved_by_page == order.page and review.saved_step > order.step:
        # A newer save from this page got there first: answer with what is kept, never with these older scores.
        posted = {
            kept.criterion: {"level": kept.level, "reasoning": kept.reasoning, "suggestion": kept.suggestion}
            for kept in review.scores.all()
        }
    if request.POST.get("action") != "submit":
        if request.htmx:
            return _autosaved(request, view, posted)
        messages.success(request, gettext("Your scores are saved. Nothing is sent until you submit the review."))
        return redirect("reviews:score", assignment_id=assignment_id)
    problems = services.review_problems(review=review, assignment=assignment)
    if problems:
        return _render_scoring(request, assignment_id, errors=problems, status=422)
    return redirect("reviews:submit", assignment_id=assignment_id)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The last step: the scores as they will be sent, and the final "Submit review" (POST)."""
    user = _user(request)
    assignment, review = selectors.review_get_for_reviewer(user=user, assignment_id=assignment_id)
    if assignment.state != AssignmentState.OPEN:
        messages.info(request, gettext("This review is already submitted; its scores can no longer change."))
        return redirect("reviews:score", assignment_id=assignment_id)
    if request.method == "POST":
        try:
            workflow.review_submit(assignment=assignment, reviewer=user)
        except InvalidInput as refusal:
            return _render_scoring(request, assignment_id, errors=refusal.errors, status=422)
        except (InvalidState, NotAllowed) as refusal:
            messages.error(
                request, gettext("Your review was not submitted: %(message)s.") % {"message": refusal.message}
            )
            return redirect("reviews:score", assignment_id=assignment_id)
        messages.success(
            request,
            gettext("Your review R-%(assignment_id)s is submitted. Thank you.") % {"assignment_id": assignment_id},
        )
        return redirect("reviews:queue")
    problems = services.review_problems(review=review, assignment=assignment)
    if problems:
        return _render_scoring(request, assignment_id, errors=problems, status=422)
    view = selectors.attempt_get_for_reviewer(user=user, assignment_id=assignment_id)
    criteria = forms.criterion_scores(view.rubric, view.my_scores, part_titles=_part_titles(view))
    return render(request, "reviews/submit.html", {"view": view, "criteria": criteria})


@login_required
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = _user(request)
    assignment = selectors.assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    view = selectors.attempt_get_for_reviewer(user=user, assignment_id=assignment_id)
    if assignment.state != AssignmentState.OPEN:
        messages.info(request, gettext("This review is already submitted; it can no longer be declined."))
        return redirect("reviews:score", assignment_id=assignment_id)
    form = forms.DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_decline(assignment=assignment, reviewer=user, reason=form.cleaned_data["reason"])
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        except (InvalidState, NotAllowed) as refusal:
            messages.error(request, gettext("The review was not declined: %(message)s.") % {"message": refusal.message})
            return redirect("reviews:score", assignment_id=assignment_id)
        else:
            messages.success(
                request,
                gettext("You declined review R-%(assignment_id)s. It goes to another reviewer.")
                % {"assignment_id": assignment_id},
            )
            return redirect("reviews:queue")
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "reviews/decline.html", {"form": form, "view": view}, status=status)


# ----- reviewer: calibration -----------------------------------------------------------------------------------


@login_required
@require_GET
def calibration(request: HttpRequest, slug: str) -> HttpResponse:
    view = selectors.calibration_for_reviewer(user=request.user, slug=slug)
    return render(request, "reviews/calibration.html", {"calibration": view})


@login_required
@require_http_methods(["GET", "POST"])
def calibration_sample(request: HttpRequest, slug: str, sample_id: int) -> HttpResponse:
    """One sample: score it on the rubric; once scored, the agreed levels and why are shown beside mine."""
    user = _user(request)
    credential, sample = selectors.calibration_sample_get(user=user, slug=slug, sample_id=sample_id)
    errors: list[FieldError] = []
    posted: dict[str, str] | None = None
    if request.method == "POST":
        view = selectors.calibration_for_reviewer(user=user, slug=slug)
        posted = forms.parse_levels(view.rubric, request.POST)
        try:
            _, status = services.calibration_submit(reviewer=user, credential=credential, sample=sample, levels=posted)
        except InvalidInput as refusal:
            errors = refusal.errors
        except (InvalidState, NotAllowed) as refusal:
            messages.error(
                request, gettext("Your levels were not recorded: %(message)s.") % {"message": refusal.message}
            )
            return redirect("reviews:calibration", slug=slug)
        else:
            if status.calibrated:
                messages.success(
                    request, gettext("Your levels are recorded. You are calibrated: you can receive live work.")
                )
            else:
                messages.success(
                    request, gettext("Your levels are recorded. Compare them with the agreed levels below.")
                )
            return redirect(reverse("reviews:calibration_sample", args=[slug, sample_id]) + "#result")
    view = selectors.calibration_for_reviewer(user=user, slug=slug)
    current = next((s for s in view.samples if s.id == sample.pk), None)
    if current is None:
        raise Http404("no such calibration sample")
    chosen = posted if posted is not None else (current.my_levels or {})
    titles = {part.id: part.title for part in current.parts}
    criteria = forms.criterion_scores(
        view.rubric,
        {cid: {"level": level} for cid, level in chosen.items()},
        part_titles=titles,
        errors=errors,
        prefix="level",
    )
    definition = credential.current_version.spec if credential.current_version else None
    specs = {f"{p.id}.{f.id}": f for p in definition.parts for f in p.fields} if definition else {}
    parts = [
        {
            "id": part.id,
            "title": part.title,
            "answers": [answer_for(specs[f.ref], f.value, ref=f.ref) for f in part.fields if f.ref in specs],
        }
        for part in current.parts
    ]
    labels = {level["id"]: level["label"] for level in view.rubric["levels"]}
    results = (
        [
            {
                "title": c.title,
                "mine": labels.get((current.my_levels or {}).get(c.id, ""), "—"),
                "agreed": labels.get(current.agreed.get(c.id, ""), "—"),
                "match": (current.my_levels or {}).get(c.id) == current.agreed.get(c.id),
                "rationale": (current.rationale or {}).get(c.id, ""),
            }
            for c in criteria
        ]
        if current.agreed is not None
        else []
    )
    context = {
        "calibration": view,
        "sample": current,
        "parts": parts,
        "criteria": criteria,
        "results": results,
        "error_list": forms.error_links(errors, criteria, prefix="level"),
    }
    return render(request, "reviews/calibration_sample.html", context, status=422 if errors else 200)
