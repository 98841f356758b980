"""What every page of an educator's submission starts from: the signed-in educator, their submission (through the
selector, so anyone else gets 404), the step they last opened, and the context a step is drawn with.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from accounts.models import User
from catalog.definition_text import definition_shown
from catalog.schema import CredentialDefinition
from pages.submissions.parsing import RATING_KEY_PREFIX
from pages.submissions.steps import SELF_EVALUATION, Step, steps_for
from pages.submissions.widgets import STUDENT_DATA_REMINDER
from reviews.selectors import Feedback, feedback_for_attempt
from submissions import selectors
from submissions.models import Attempt, AttemptStatus, Status, Submission

DECIDED = (AttemptStatus.NOT_YET_EARNED, AttemptStatus.EARNED)
# The editable statuses a submission can only reach once it has attempts (so earlier feedback may exist).
AFTER_AN_ATTEMPT = (Status.NOT_YET_EARNED, Status.WITHDRAWN, Status.RETURNED_INCOMPLETE)

STEP_MEMORY = "submission_steps"  # session key: {submission id: the step last opened}, to resume there


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it: `htmx` is true when htmx sent it."""

    htmx: HtmxDetails


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required for pages htmx also asks for fragments of: htmx is told to open the sign-in page as a page,
    since swapped into a step in place of its form it would leave a page within the page."""
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.htmx and not request.user.is_authenticated:
            return HttpResponseClientRedirect(redirect_to_login(request.get_full_path())["Location"])
        return guarded(request, *args, **kwargs)

    return wrapper


def user_of(request: HttpRequest) -> User:
    # login_required has run, so this is a real account.
    assert isinstance(request.user, User)
    return request.user


def mine(request: HttpRequest, submission_id: int) -> Submission:
    return selectors.submission_get_for_educator(user=request.user, submission_id=submission_id)


def remember_step(request: HttpRequest, submission: Submission, step: Step) -> None:
    memory = dict(request.session.get(STEP_MEMORY, {}))
    if memory.get(str(submission.pk)) != step.number:
        memory[str(submission.pk)] = step.number
        request.session[STEP_MEMORY] = memory


def remembered_step(request: HttpRequest, submission_id: int) -> int:
    return int(request.session.get(STEP_MEMORY, {}).get(str(submission_id), 1))


def resume(request: HttpRequest, submission: Submission) -> HttpResponseRedirect:
    steps = steps_for(submission)
    number = min(max(remembered_step(request, submission.pk), 1), len(steps))
    return redirect(steps[number - 1].url)


def not_editable(request: HtmxHttpRequest, submission: Submission) -> HttpResponse:
    """To the submission's page, as a whole page even when htmx asked (submitted meanwhile in another tab)."""
    label = Status(submission.status).label.lower()
    messages.info(
        request, _("This submission is %(status)s, so its answers cannot be changed now.") % {"status": label}
    )
    url = reverse("submissions:detail", args=[submission.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def latest_feedback(submission: Submission, viewer: Any, attempts: list[Attempt] | None = None) -> Feedback | None:
    """The reviewers' feedback on the latest attempt that was judged, when it is decided: shown on the submission
    page and, part by part, beside the steps of the next attempt. Withdrawn and returned attempts were never
    judged, so the one before them counts."""
    attempts = attempts if attempts is not None else selectors.submission_attempts(submission=submission)
    judged = [a for a in attempts if a.status not in (AttemptStatus.WITHDRAWN, AttemptStatus.RETURNED_INCOMPLETE)]
    if not judged or judged[-1].status not in DECIDED:
        return None
    try:
        return feedback_for_attempt(attempt=judged[-1], viewer=viewer)
    except Http404:  # not decided after all (an attempt's status and its decision are written together)
        return None


def autosave_data(submission: Submission, step: Step) -> str:
    """As JSON, what static/js/submission.js needs to autosave the step: the API address it saves to, the name of this
    device's copy of unsaved answers, and what the draft holds of each answer on the page, so that an answer
    saved meanwhile in another tab or device is noticed before this page could save over it."""
    draft = submission.draft
    saved: dict[str, Any] = {}
    if step.part is not None:
        stored = draft.responses.get(step.part.id, {})
        saved = {f"{step.part.id}.{spec.id}": stored.get(spec.id) for spec in step.part.fields}
    elif step.key == SELF_EVALUATION:
        criteria = submission.version.spec.rubric.criteria
        saved = {RATING_KEY_PREFIX + c.id: draft.self_evaluation.get(c.id) for c in criteria}
    data = {
        "responses": reverse("api-v1:submission_responses", args=[submission.pk]),
        "storageKey": f"microcred:draft:{submission.pk}",
        "saved": saved,
    }
    # An attribute of the form, not a <script> block: htmx drops every script from what it swaps in.
    return json.dumps(data, cls=DjangoJSONEncoder)


def form_context(definition: CredentialDefinition, steps: list[Step], step: Step) -> dict[str, Any]:
    """What a step is drawn with that comes from the definition alone, so the authoring preview draws a draft's
    steps with the same templates."""
    context: dict[str, Any] = {
        "spec": definition,
        "steps": steps,
        "step": step,
        "previous_step": steps[step.number - 2] if step.number > 1 else None,
        "next_step": steps[step.number] if step.number < len(steps) else None,
        "rubric_levels": definition.rubric.levels,
        "passing_levels": definition.rubric.passing_levels(),
        "student_data_reminder": gettext(STUDENT_DATA_REMINDER),
    }
    if step.part is not None:
        context["criteria"] = definition.part_criteria(step.part.id)
    return context


def step_context(submission: Submission, steps: list[Step], step: Step, **extra: Any) -> dict[str, Any]:
    context = form_context(definition_shown(submission.version.spec), steps, step)
    context.update(
        {
            "submission": submission,
            "credential": submission.credential,
            "revision": submission.draft.revision,
            "autosave": autosave_data(submission, step),
            "summary_url": reverse("submissions:summary", args=[submission.pk]),
        }
    )
    if submission.status in AFTER_AN_ATTEMPT:
        # A resubmission: beside each part, what the reviewers said about it last time.
        feedback = latest_feedback(submission, submission.educator)
        if feedback is not None and feedback.outcome != "earned":
            context["previous_feedback"] = feedback
            context["part_feedback"] = feedback.for_part(step.part.id if step.part is not None else None)
    context.update(extra)
    return context
