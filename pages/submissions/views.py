"""The educator's submission pages other than the steps they edit (those are in step_views): start, resume,
the summary, the completeness check, submit, the submission with its attempts, withdrawing, evidence download.

Thin, as the style asks: every object comes through a selector (404 for anyone but its owner), every change
through one service. Every page works without JavaScript; with it, htmx draws the check results in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.participants import ParticipationRequired, participation_state
from catalog.definition_text import definition_shown
from catalog.selectors import credential_get_published
from core.errors import InvalidState
from pages.submissions.answers import part_answers, rating_answers
from pages.submissions.context import DECIDED, HtmxHttpRequest, remember_step, remembered_step, signed_in, step_context
from pages.submissions.context import latest_feedback as _latest_feedback
from pages.submissions.context import mine as _mine
from pages.submissions.context import not_editable as _not_editable
from pages.submissions.context import resume as _resume
from pages.submissions.context import user_of as _user
from pages.submissions.findings import grouped_findings
from pages.submissions.start import refusal_action
from pages.submissions.steps import SELF_EVALUATION, SUMMARY, Step, step_of, steps_for
from reviews.selectors import feedback_for_attempt
from submissions import selectors, services
from submissions.checks import Finding
from submissions.downloads import evidence_file_response
from submissions.errors import NotReady, StartRefused
from submissions.models import Attempt, AttemptStatus, EventKind, Status, Submission
from workflow import selectors as workflow_selectors
from workflow import services as workflow
from workflow.retention import attempt_retention

# ----- start ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """POST starts the educator's draft. A GET, as after signing in, goes back to the credential page: starting
    is a change, so it waits for the button. A second start (one is open, or the credential is earned and
    not renewable yet) is refused with the way to what they have: a 409 page with its link."""
    published = credential_get_published(slug=slug)
    if request.method == "GET":
        return redirect("catalog:detail", slug=slug)
    try:
        submission, _started = services.submission_start(educator=_user(request), credential=published.credential)
    except StartRefused as refusal:
        context = {"message": refusal.message, "action": refusal_action(_user(request), refusal), "slug": slug}
        return render(request, "submissions/start_refused.html", context, status=refusal.status_code)
    except InvalidState as refusal:
        messages.error(request, _("You cannot start this now: %(why)s.") % {"why": refusal.message})
        return redirect("catalog:detail", slug=slug)
    messages.success(request, _("Your draft is started. It is saved as you go; come back to it from your dashboard."))
    return _resume(request, _mine(request, submission.pk))


@login_required
@require_GET
def resume(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Back to the step the educator last opened (the dashboard's "Continue step N")."""
    submission = _mine(request, submission_id)
    if not submission.is_editable:
        return redirect("submissions:detail", submission_id=submission.pk)
    return _resume(request, submission)


# ----- summary, check, submit ----------------------------------------------------------------------


def _summary_context(request: HttpRequest, submission: Submission, steps: list[Step]) -> dict[str, Any]:
    definition = submission.version.spec
    files = [item.manifest() for item in selectors.submission_evidence(submission=submission)]
    responses = submission.draft.responses
    step = step_of(steps, SUMMARY)
    assert step is not None
    participation = participation_state(user=submission.educator, definition=definition)
    return step_context(
        submission,
        steps,
        step,
        # The questions in the page's language, or marked with the language they are written in.
        part_sections=[
            {"step": step_of(steps, part.id), "part": part, "answers": part_answers(part, responses, files)}
            for part in definition_shown(definition).parts
        ],
        ratings=rating_answers(definition_shown(definition), submission.draft.self_evaluation)
        if definition.self_evaluation.enabled
        else [],
        self_evaluation_step=step_of(steps, SELF_EVALUATION),
        next_attempt=max([a.number for a in selectors.submission_attempts(submission=submission)], default=0) + 1,
        whole_criteria=[c for c in definition.rubric.criteria if c.part is None],
        participation=participation,
        participation_missing=any(not requirement.met for requirement in participation),
    )


@login_required
@require_GET
def summary(request: HtmxHttpRequest, submission_id: int) -> HttpResponse:
    submission = _mine(request, submission_id)
    if not submission.is_editable:
        return _not_editable(request, submission)
    steps = steps_for(submission)
    step = step_of(steps, SUMMARY)
    assert step is not None
    remember_step(request, submission, step)
    return render(request, "submissions/summary.html", _summary_context(request, submission, steps))


def _grouped(submission: Submission, findings: list[Finding], steps: list[Step]) -> dict[str, Any]:
    return grouped_findings(submission, steps, findings)


@signed_in
@require_GET
def check(request: HtmxHttpRequest, submission_id: int) -> HttpResponse:
    """The completeness check as a page without JavaScript; for htmx, the check results alone, drawn in place."""
    submission = _mine(request, submission_id)
    steps = steps_for(submission)
    findings = services.completeness_check(submission=submission)
    back = step_of(steps, request.GET.get("from", "")) or steps[0]
    grouped = _grouped(submission, findings, steps)
    context = {
        "submission": submission,
        "credential": submission.credential,
        "spec": definition_shown(submission.version.spec),
        "steps": steps,
        "step": back,
        "back": back,
        "summary_url": reverse("submissions:summary", args=[submission.pk]),
        "check": grouped,
        **grouped,
    }
    response = render(request, "submissions/_check_panel.html" if request.htmx else "submissions/check.html", context)
    # One address answers with a page or a fragment: a cache must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def submit(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _mine(request, submission_id)
    steps = steps_for(submission)
    try:
        attempt = workflow.attempt_submit(submission=submission, actor=_user(request))
    except NotReady as refusal:
        context = _summary_context(request, submission, steps)
        context.update(_grouped(submission, list(refusal.findings), steps), refused=True)
        return render(request, "submissions/summary.html", context, status=422)
    except ParticipationRequired as refusal:
        # Back to the summary, whose notice links to where the consent is asked for.
        messages.error(request, _("Your submission was not sent: %(why)s.") % {"why": refusal.message.rstrip(".")})
        return redirect("submissions:summary", submission_id=submission.pk)
    except InvalidState as refusal:
        messages.error(request, _("Your submission was not sent: %(why)s.") % {"why": refusal.message.rstrip(".")})
        return redirect("submissions:detail", submission_id=submission.pk)
    return redirect("submissions:submitted", submission_id=submission.pk, number=attempt.number)


# ----- submission, attempts, withdraw ----------------------------------------------------------------


def _timeline(submission: Submission) -> list[selectors.TimelineEntry]:
    return selectors.submission_timeline(submission=submission)


def _can_withdraw(attempt: Attempt, attempts: list[Attempt]) -> bool:
    return attempt.status == AttemptStatus.SUBMITTED and attempt.number == max(a.number for a in attempts)


@login_required
@require_GET
def detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _mine(request, submission_id)
    attempts = selectors.submission_attempts(submission=submission)
    steps = steps_for(submission)
    number = min(max(remembered_step(request, submission.pk), 1), len(steps))
    feedback = _latest_feedback(submission, request.user, attempts)
    context = {
        "submission": submission,
        "credential": submission.credential,
        "status_label": Status(submission.status).label,
        "next_step": selectors.next_step(submission),
        "attempts": attempts,
        "withdrawable": [a.number for a in attempts if _can_withdraw(a, attempts)],
        "timeline": _timeline(submission),
        "resume": steps[number - 1] if submission.is_editable else None,
        "feedback": feedback,
        "resubmit_url": steps[0].url if feedback is not None and feedback.can_resubmit else None,
        "retention": next(
            (attempt_retention(attempt=a) for a in attempts if feedback and a.number == feedback.attempt_number), None
        ),
    }
    return render(request, "submissions/detail.html", context)


@login_required
@require_GET
def attempt_detail(request: HttpRequest, submission_id: int, number: int) -> HttpResponse:
    attempt = selectors.attempt_get_for_educator(user=request.user, submission_id=submission_id, number=number)
    submission = attempt.submission
    definition = attempt.version.spec
    attempts = selectors.submission_attempts(submission=submission)
    feedback = None
    if attempt.status in DECIDED:
        try:
            feedback = feedback_for_attempt(attempt=attempt, viewer=request.user)
        except Http404:
            feedback = None
    latest = feedback is not None and attempt.number == max(a.number for a in attempts)
    retention = attempt_retention(attempt=attempt)
    manifest = retention.file_notes(attempt.evidence_manifest, dates=retention.mixed)
    context = {
        "submission": submission,
        "credential": submission.credential,
        "attempt": attempt,
        "feedback": feedback,
        "resubmit_url": steps_for(submission)[0].url if latest and feedback and feedback.can_resubmit else None,
        "status_label": AttemptStatus(attempt.status).label,
        "spec": definition,
        "part_sections": [
            {"part": part, "answers": part_answers(part, attempt.responses, manifest)}
            for part in definition_shown(definition).parts
        ],
        "ratings": rating_answers(definition_shown(definition), attempt.self_evaluation)
        if attempt.self_evaluation
        else [],
        "can_withdraw": _can_withdraw(attempt, attempts),
        "retention": retention,
        "timeline": _timeline(submission),
    }
    return render(request, "submissions/attempt.html", context)


@login_required
@require_GET
def submitted(request: HttpRequest, submission_id: int, number: int) -> HttpResponse:
    attempt = selectors.attempt_get_for_educator(user=request.user, submission_id=submission_id, number=number)
    # The advice given when this attempt was frozen, as its submit event recorded it (not today's draft's).
    advisory: list[str] = next(
        (
            event.data.get("advisory", [])
            for event in selectors.submission_events(submission=attempt.submission)
            if event.attempt_id == attempt.pk and event.kind in (EventKind.SUBMITTED, EventKind.RESUBMITTED)
        ),
        [],
    )
    context = {
        "submission": attempt.submission,
        "credential": attempt.submission.credential,
        "attempt": attempt,
        "spec": definition_shown(attempt.version.spec),
        "advisory": advisory,
    }
    return render(request, "submissions/submitted.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, submission_id: int, number: int) -> HttpResponse:
    """GET asks to confirm; POST withdraws the attempt (only before its review starts)."""
    attempt = selectors.attempt_get_for_educator(user=request.user, submission_id=submission_id, number=number)
    if request.method == "POST":
        try:
            services.attempt_withdraw(attempt=attempt, actor=_user(request))
        except InvalidState as refusal:
            messages.error(
                request,
                _("Attempt %(number)s was not withdrawn: %(why)s.") % {"number": number, "why": refusal.message},
            )
        else:
            messages.success(
                request,
                _("Attempt %(number)s is withdrawn. Your answers are kept: you can change them and submit again.")
                % {"number": number},
            )
        return redirect("submissions:detail", submission_id=submission_id)
    attempts = selectors.submission_attempts(submission=attempt.submission)
    if not _can_withdraw(attempt, attempts):
        messages.info(
            request,
            _("Attempt %(number)s can no longer be withdrawn: its review has started or ended.") % {"number": number},
        )
        return redirect("submissions:attempt", submission_id=submission_id, number=number)
    context = {"submission": attempt.submission, "credential": attempt.submission.credential, "attempt": attempt}
    return render(request, "submissions/withdraw.html", context)


# ----- evidence --------------------------------------------------------------------------------------


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """The file, after the selector's access check, always as an attachment and never sniffed into HTML.
    The same headers as the API's download (api-v1:submission_evidence_file), for signed-in pages: an
    anonymous visitor is sent to sign in rather than answered 401."""
    item, attempt = workflow_selectors.evidence_get_for_user(user=request.user, evidence_id=evidence_id)
    return evidence_file_response(item=item, viewer=request.user, attempt=attempt)
