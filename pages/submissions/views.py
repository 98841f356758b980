"""The educator's submission pages: start, one step per part, self-evaluation, summary, check, submit,
attempts, withdraw, evidence download.

Thin, as the style asks: every object comes through a selector (404 for anyone but its owner), every
change through one service, and the form layer (submissions.forms) draws each step from the definition.
The pages work without JavaScript; static/js/submission.js adds autosave through the JSON API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from catalog.schema import FileField, Part
from catalog.selectors import credential_get_published
from pages.submissions import forms
from reviews.selectors import Feedback, feedback_for_attempt
from reviews.services import attempt_resubmit
from submissions import selectors, services
from submissions.checks import Finding
from submissions.downloads import evidence_file_response
from submissions.errors import Conflict, FieldConflict, FieldError, InvalidInput, InvalidState, NotReady
from submissions.models import Attempt, AttemptStatus, EventKind, Status, Submission

DECIDED = (AttemptStatus.NOT_YET_EARNED, AttemptStatus.EARNED)
# The editable statuses a submission can only reach once it has attempts (so earlier feedback may exist).
AFTER_AN_ATTEMPT = (Status.NOT_YET_EARNED, Status.WITHDRAWN, Status.RETURNED_INCOMPLETE)

STEP_MEMORY = "submission_steps"  # session key: {submission id: the step last opened}, to resume there


def _user(request: HttpRequest) -> User:
    # login_required has run, so this is a real account.
    assert isinstance(request.user, User)
    return request.user


def _mine(request: HttpRequest, submission_id: int) -> Submission:
    return selectors.submission_get_for_educator(user=request.user, submission_id=submission_id)


def _remember_step(request: HttpRequest, submission: Submission, step: forms.Step) -> None:
    memory = dict(request.session.get(STEP_MEMORY, {}))
    if memory.get(str(submission.pk)) != step.number:
        memory[str(submission.pk)] = step.number
        request.session[STEP_MEMORY] = memory


def remembered_step(request: HttpRequest, submission_id: int) -> int:
    return int(request.session.get(STEP_MEMORY, {}).get(str(submission_id), 1))


def _resume(request: HttpRequest, submission: Submission) -> HttpResponseRedirect:
    steps = forms.steps_for(submission)
    number = min(max(remembered_step(request, submission.pk), 1), len(steps))
    return redirect(steps[number - 1].url)


def _not_editable(request: HttpRequest, submission: Submission) -> HttpResponseRedirect:
    label = Status(submission.status).label.lower()
    messages.info(request, f"This submission is {label}, so its answers cannot be changed now.")
    return redirect("submissions:detail", submission_id=submission.pk)


def _base_revision(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


# ----- start ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """POST starts (or resumes) the educator's draft. A GET, as after signing in, goes back to the credential
    page: starting is a change, so it waits for the button."""
    published = credential_get_published(slug=slug)
    if request.method == "GET":
        return redirect("catalog:detail", slug=slug)
    try:
        submission, created = services.submission_start(educator=_user(request), credential=published.credential)
    except InvalidState as refusal:
        messages.error(request, f"You cannot start this now: {refusal.message}.")
        return redirect("catalog:detail", slug=slug)
    if created:
        messages.success(request, "Your draft is started. It is saved as you go; come back to it from your dashboard.")
    submission = _mine(request, submission.pk)
    if not submission.is_editable:
        return redirect("submissions:detail", submission_id=submission.pk)
    return _resume(request, submission)


@login_required
@require_GET
def resume(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Back to the step the educator last opened (the dashboard's "Continue step N")."""
    submission = _mine(request, submission_id)
    if not submission.is_editable:
        return redirect("submissions:detail", submission_id=submission.pk)
    return _resume(request, submission)


# ----- steps ---------------------------------------------------------------------------------------


def _latest_feedback(submission: Submission, viewer: Any, attempts: list[Attempt] | None = None) -> Feedback | None:
    """The reviewers' feedback on the latest attempt that was judged, when it is decided (issue 4): shown on the
    submission page and, part by part, beside the steps of the next attempt. Withdrawn and returned attempts
    were never judged, so the one before them counts."""
    attempts = attempts if attempts is not None else selectors.submission_attempts(submission=submission)
    judged = [a for a in attempts if a.status not in (AttemptStatus.WITHDRAWN, AttemptStatus.RETURNED_INCOMPLETE)]
    if not judged or judged[-1].status not in DECIDED:
        return None
    try:
        return feedback_for_attempt(attempt=judged[-1], viewer=viewer)
    except Http404:  # not decided after all (an attempt's status and its decision are written together)
        return None


def _step_context(submission: Submission, steps: list[forms.Step], step: forms.Step, **extra: Any) -> dict[str, Any]:
    definition = submission.version.spec
    context = {
        "submission": submission,
        "credential": submission.credential,
        "spec": definition,
        "steps": steps,
        "step": step,
        "previous_step": steps[step.number - 2] if step.number > 1 else None,
        "next_step": steps[step.number] if step.number < len(steps) else None,
        "revision": submission.draft.revision,
        "rubric_levels": definition.rubric.levels,
        "passing_levels": definition.rubric.passing_levels(),
        "config": forms.script_config(submission, steps, step=step),
        "student_data_reminder": forms.STUDENT_DATA_REMINDER,
    }
    if step.part is not None:
        context["criteria"] = definition.part_criteria(step.part.id)
    if submission.status in AFTER_AN_ATTEMPT:
        # A resubmission: beside each part, what the reviewers said about it last time.
        feedback = _latest_feedback(submission, submission.educator)
        if feedback is not None and feedback.outcome != "earned":
            context["previous_feedback"] = feedback
            context["part_feedback"] = feedback.for_part(step.part.id if step.part is not None else None)
    context.update(extra)
    return context


def _after_save(
    request: HttpRequest, submission: Submission, steps: list[forms.Step], step: forms.Step, action: str
) -> HttpResponse:
    if action == "next" and step.number < len(steps):
        return redirect(steps[step.number].url)
    if action == "previous" and step.number > 1:
        return redirect(steps[step.number - 2].url)
    if action == "check":
        return redirect(reverse("submissions:check", args=[submission.pk]) + f"?from={step.key}")
    if action.startswith(("add_entry:", "remove_entry:")):
        ref = action.split(":")[1]
        return redirect(f"{step.url}#{forms.field_id(ref)}")
    messages.success(request, f"Step {step.number} is saved.")
    return redirect(step.url)


@login_required
@require_http_methods(["GET", "POST"])
def part_step(request: HttpRequest, submission_id: int, part_id: str) -> HttpResponse:
    submission = _mine(request, submission_id)
    steps = forms.steps_for(submission)
    step = forms.step_of(steps, part_id)
    if step is None or step.part is None:
        raise Http404("no such step")
    if not submission.is_editable:
        return _not_editable(request, submission)
    part = step.part
    draft = submission.draft
    if request.method == "GET":
        _remember_step(request, submission, step)
        values = forms.draft_values(draft.responses, part)
        return _render_part(request, submission, steps, step, values=values)

    definition = submission.version.spec
    action = request.POST.get("action", "save")
    posted = forms.parse_part(part, forms.apply_list_action(request.POST, action))
    changes = forms.changed_only(definition, posted, forms.posted_digests(request.POST))
    if action == "use_saved":
        for ref in request.POST.getlist("conflicted"):
            changes.pop(ref, None)
    errors: list[FieldError] = []
    actor = _user(request)
    if action.startswith("remove_evidence:"):
        errors += _remove_evidence(request, submission, action.partition(":")[2])
    errors += _attach_uploads(request, submission, part)
    base = _base_revision(request)
    conflicts: list[FieldConflict] = []
    saved = False
    if base is None:
        errors.append(FieldError("revision", "the page was incomplete; reload it and save again"))
    elif changes:
        try:
            services.draft_save(submission=submission, actor=actor, base_revision=base, changes=changes)
            saved = True
        except InvalidInput as refusal:
            errors += refusal.errors
        except Conflict as conflict:
            conflicts = conflict.conflicts
        except InvalidState as refusal:
            messages.error(request, refusal.message)
            return redirect("submissions:detail", submission_id=submission.pk)
    if not errors and not conflicts:
        return _after_save(request, submission, steps, step, action)

    submission = _mine(request, submission_id)  # uploads and saves may have moved it on
    if conflicts:
        # Show the draft as saved now, with the educator's own changes laid over it; the fingerprints and the
        # revision are the current ones, so "keep mine" saves over the other version on purpose.
        values = {**forms.draft_values(submission.draft.responses, part), **changes}
        return _render_part(request, submission, steps, step, values=values, conflicts=conflicts, status=409)
    values = {**forms.draft_values(submission.draft.responses, part), **posted}
    # The answers may have saved while a file was refused: then the page continues from the new revision.
    return _render_part(
        request,
        submission,
        steps,
        step,
        values=values,
        errors=errors,
        digests=None if saved else forms.posted_digests(request.POST),
        revision=None if saved else base,
        status=422,
    )


def _attach_uploads(request: HttpRequest, submission: Submission, part: Part) -> list[FieldError]:
    """Files chosen in the step's file inputs (posted with the form when JavaScript is off)."""
    errors: list[FieldError] = []
    for spec in part.fields:
        ref = f"{part.id}.{spec.id}"
        if not isinstance(spec, FileField):
            continue
        for upload in request.FILES.getlist(ref):
            try:
                services.evidence_add(submission=submission, actor=_user(request), field_ref=ref, upload=upload)
            except InvalidInput as refusal:
                errors += refusal.errors
            except InvalidState as refusal:
                errors.append(FieldError(ref, refusal.message))
    return errors


def _remove_evidence(request: HttpRequest, submission: Submission, evidence_id: str) -> list[FieldError]:
    if not evidence_id.isdigit():
        return []
    item = selectors.evidence_get_for_user(user=request.user, evidence_id=int(evidence_id))
    if item.submission_id != submission.pk or not item.in_draft:
        raise Http404("no such file in this draft")
    try:
        services.evidence_remove(evidence=item, actor=_user(request))
    except InvalidState as refusal:
        return [FieldError(item.field_ref, refusal.message)]
    messages.success(request, f"{item.original_name} is removed.")
    return []


def _render_part(
    request: HttpRequest,
    submission: Submission,
    steps: list[forms.Step],
    step: forms.Step,
    *,
    values: dict[str, Any],
    errors: list[FieldError] | None = None,
    conflicts: list[FieldConflict] | None = None,
    digests: dict[str, str] | None = None,
    revision: int | None = None,
    status: int = 200,
) -> HttpResponse:
    assert step.part is not None
    draft = submission.draft
    stored = forms.draft_values(draft.responses, step.part)
    widgets = forms.step_widgets(
        step.part,
        values=values,
        stored=stored,
        evidence=selectors.submission_evidence(submission=submission),
        errors=errors or [],
    )
    if digests is not None:
        for widget in widgets:
            widget.digest = digests.get(widget.ref, widget.digest)
    context = _step_context(
        submission,
        steps,
        step,
        widgets=widgets,
        error_list=_error_list(errors or []),
        conflicts=forms.conflict_views(submission.version.spec, conflicts or []),
    )
    if revision is not None:
        context["revision"] = revision
        context["config"]["revision"] = revision
    return render(request, "submissions/step.html", context, status=status)


def _error_list(errors: list[FieldError]) -> list[dict[str, str]]:
    """The error summary's links: each names the field and goes to it."""
    out = []
    for error in errors:
        if error.field.startswith("self_evaluation."):
            anchor = forms.criterion_id(error.field.split(".", 1)[1])
        elif error.field in ("revision", "base_revision") or "." not in error.field:
            anchor = "main"
        else:
            anchor = forms.field_id(error.field, error.entry)
        out.append({"anchor": anchor, "message": error.message})
    return out


@login_required
@require_http_methods(["GET", "POST"])
def self_evaluation_step(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _mine(request, submission_id)
    steps = forms.steps_for(submission)
    step = forms.step_of(steps, forms.SELF_EVALUATION)
    if step is None:
        raise Http404("this credential has no self-evaluation")
    if not submission.is_editable:
        return _not_editable(request, submission)
    definition = submission.version.spec
    if request.method == "GET":
        _remember_step(request, submission, step)
        return _render_ratings(request, submission, steps, step, values=submission.draft.self_evaluation)

    action = request.POST.get("action", "save")
    posted = forms.parse_self_evaluation(definition, request.POST)
    changes = forms.changed_ratings(definition, posted, forms.posted_digests(request.POST))
    if action == "use_saved":
        for key in request.POST.getlist("conflicted"):
            changes.pop(key.removeprefix("self_evaluation:"), None)
    base = _base_revision(request)
    errors: list[FieldError] = []
    conflicts: list[FieldConflict] = []
    if base is None:
        errors.append(FieldError("revision", "the page was incomplete; reload it and save again"))
    elif changes:
        try:
            services.draft_save(
                submission=submission, actor=_user(request), base_revision=base, self_evaluation=changes
            )
        except InvalidInput as refusal:
            errors += refusal.errors
        except Conflict as conflict:
            conflicts = conflict.conflicts
        except InvalidState as refusal:
            messages.error(request, refusal.message)
            return redirect("submissions:detail", submission_id=submission.pk)
    if not errors and not conflicts:
        return _after_save(request, submission, steps, step, action)
    submission = _mine(request, submission_id)
    if conflicts:
        values = {**submission.draft.self_evaluation, **changes}
        return _render_ratings(request, submission, steps, step, values=values, conflicts=conflicts, status=409)
    return _render_ratings(
        request,
        submission,
        steps,
        step,
        values={**submission.draft.self_evaluation, **posted},
        errors=errors,
        digests=forms.posted_digests(request.POST),
        revision=base,
        status=422,
    )


def _render_ratings(
    request: HttpRequest,
    submission: Submission,
    steps: list[forms.Step],
    step: forms.Step,
    *,
    values: dict[str, Any],
    errors: list[FieldError] | None = None,
    conflicts: list[FieldConflict] | None = None,
    digests: dict[str, str] | None = None,
    revision: int | None = None,
    status: int = 200,
) -> HttpResponse:
    definition = submission.version.spec
    ratings = forms.rating_widgets(
        definition, values=values, stored=submission.draft.self_evaluation, errors=errors or []
    )
    if digests is not None:
        for rating in ratings:
            rating.digest = digests.get(forms.SELF_EVALUATION_PREFIX + rating.criterion.id, rating.digest)
    context = _step_context(
        submission,
        steps,
        step,
        ratings=ratings,
        error_list=_error_list(errors or []),
        conflicts=forms.conflict_views(definition, conflicts or []),
        rubric=definition.rubric,
    )
    if revision is not None:
        context["revision"] = revision
        context["config"]["revision"] = revision
    return render(request, "submissions/self_evaluation.html", context, status=status)


# ----- summary, check, submit ----------------------------------------------------------------------


def _summary_context(request: HttpRequest, submission: Submission, steps: list[forms.Step]) -> dict[str, Any]:
    definition = submission.version.spec
    files = [item.manifest() for item in selectors.submission_evidence(submission=submission)]
    responses = submission.draft.responses
    step = forms.step_of(steps, forms.SUMMARY)
    assert step is not None
    return _step_context(
        submission,
        steps,
        step,
        part_sections=[
            {"step": forms.step_of(steps, part.id), "part": part, "answers": forms.part_answers(part, responses, files)}
            for part in definition.parts
        ],
        ratings=forms.rating_answers(definition, submission.draft.self_evaluation)
        if definition.self_evaluation.enabled
        else [],
        self_evaluation_step=forms.step_of(steps, forms.SELF_EVALUATION),
        next_attempt=max([a.number for a in selectors.submission_attempts(submission=submission)], default=0) + 1,
        whole_criteria=[c for c in definition.rubric.criteria if c.part is None],
    )


@login_required
@require_GET
def summary(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _mine(request, submission_id)
    if not submission.is_editable:
        return _not_editable(request, submission)
    steps = forms.steps_for(submission)
    step = forms.step_of(steps, forms.SUMMARY)
    assert step is not None
    _remember_step(request, submission, step)
    return render(request, "submissions/summary.html", _summary_context(request, submission, steps))


def _grouped(submission: Submission, findings: list[Finding], steps: list[forms.Step]) -> dict[str, Any]:
    groups = forms.finding_groups(submission.version.spec, findings, steps)
    return {
        "groups": groups,
        "blocking_count": sum(len(g.blocking) for g in groups),
        "advisory_count": sum(len(g.advisory) for g in groups),
    }


@login_required
@require_GET
def check(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The completeness check as a page, for when JavaScript is off (with it, the step shows it in place)."""
    submission = _mine(request, submission_id)
    steps = forms.steps_for(submission)
    findings = services.completeness_check(submission=submission)
    back = forms.step_of(steps, request.GET.get("from", "")) or steps[0]
    context = {
        "submission": submission,
        "credential": submission.credential,
        "spec": submission.version.spec,
        "steps": steps,
        "back": back,
        "summary_url": reverse("submissions:summary", args=[submission.pk]),
        **_grouped(submission, findings, steps),
    }
    return render(request, "submissions/check.html", context)


@login_required
@require_POST
def submit(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _mine(request, submission_id)
    steps = forms.steps_for(submission)
    try:
        if submission.status == Status.NOT_YET_EARNED:
            # After a not-yet-earned decision, through reviews' resubmission service (it enforces the attempt limit).
            attempt = attempt_resubmit(submission=submission, actor=_user(request))
        else:
            attempt = services.attempt_submit(submission=submission, actor=_user(request))
    except NotReady as refusal:
        context = _summary_context(request, submission, steps)
        context.update(_grouped(submission, list(refusal.findings), steps), refused=True)
        return render(request, "submissions/summary.html", context, status=422)
    except InvalidState as refusal:
        messages.error(request, f"Your submission was not sent: {refusal.message.rstrip('.')}.")
        return redirect("submissions:detail", submission_id=submission.pk)
    return redirect("submissions:submitted", submission_id=submission.pk, number=attempt.number)


# ----- submission, attempts, withdraw ----------------------------------------------------------------


def _timeline(submission: Submission) -> list[dict[str, Any]]:
    out = []
    for event in selectors.submission_events(submission=submission):
        label = event.get_kind_display()
        if event.kind == "saved":
            label = "In progress (first saved)"
        out.append({"label": label, "at": event.at, "attempt": event.attempt.number if event.attempt else None})
    return out


def _can_withdraw(attempt: Attempt, attempts: list[Attempt]) -> bool:
    return attempt.status == AttemptStatus.SUBMITTED and attempt.number == max(a.number for a in attempts)


@login_required
@require_GET
def detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _mine(request, submission_id)
    attempts = selectors.submission_attempts(submission=submission)
    steps = forms.steps_for(submission)
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
    context = {
        "submission": submission,
        "credential": submission.credential,
        "attempt": attempt,
        "feedback": feedback,
        "resubmit_url": forms.steps_for(submission)[0].url if latest and feedback and feedback.can_resubmit else None,
        "status_label": AttemptStatus(attempt.status).label,
        "spec": definition,
        "part_sections": [
            {"part": part, "answers": forms.part_answers(part, attempt.responses, attempt.evidence_manifest)}
            for part in definition.parts
        ],
        "ratings": forms.rating_answers(definition, attempt.self_evaluation) if attempt.self_evaluation else [],
        "can_withdraw": _can_withdraw(attempt, attempts),
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
        "spec": attempt.version.spec,
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
            messages.error(request, f"Attempt {number} was not withdrawn: {refusal.message}.")
        else:
            messages.success(
                request, f"Attempt {number} is withdrawn. Your answers are kept: you can change them and submit again."
            )
        return redirect("submissions:detail", submission_id=submission_id)
    attempts = selectors.submission_attempts(submission=attempt.submission)
    if not _can_withdraw(attempt, attempts):
        messages.info(request, f"Attempt {number} can no longer be withdrawn: its review has started or ended.")
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
    item = selectors.evidence_get_for_user(user=request.user, evidence_id=evidence_id)
    return evidence_file_response(item=item, viewer=request.user)
