"""The steps an educator edits: one per part of the definition, and the self-evaluation.

GET draws the step. POST is the path that works without JavaScript: save the fields that changed since the page
was drawn (by their fingerprints, so another tab's newer save of a field left alone stands), do what the button
asks (add or remove a list entry, add a value box, remove a file, attach the files chosen), then go on.

With htmx (`request.htmx`) the same views answer with the step's form alone, drawn by the same templates, so what
a button did is shown in place and there is one renderer. The page's script autosaves through the JSON API; when
the API refuses a save as stale it posts the step here with the action "show_conflicts" to have both versions
drawn, and when another tab changed an answer on the step it fetches the form again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from catalog.definition_text import definition_shown
from catalog.schema import CredentialDefinition, FileField, Part
from coaching import selectors as coaching_selectors
from coaching.services import coaching_comment_resolve
from core.errors import Conflict, FieldConflict, FieldError, InvalidInput, InvalidState
from pages.submissions.answers import conflict_views
from pages.submissions.context import (
    HtmxHttpRequest,
    mine,
    not_editable,
    remember_step,
    signed_in,
    step_context,
    user_of,
)
from pages.submissions.findings import grouped_findings
from pages.submissions.parsing import (
    RATING_KEY_PREFIX,
    SELF_EVALUATION_PREFIX,
    apply_list_action,
    changed_only,
    changed_ratings,
    differs,
    parse_part,
    parse_self_evaluation,
    posted_digests,
)
from pages.submissions.steps import SELF_EVALUATION, Step, criterion_id, field_id, step_of, steps_for
from pages.submissions.widgets import Widget, draft_values, rating_widgets, step_widgets
from submissions import selectors, services
from submissions.models import Submission

INCOMPLETE_PAGE = gettext_lazy("the page was incomplete; reload it and save again")


def _base_revision(request: HtmxHttpRequest) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


def _answer(
    request: HtmxHttpRequest, template: str, partial: str, context: dict[str, Any], status: int
) -> HttpResponse:
    """The whole page, or for htmx the step's form alone: the same context through the same templates."""
    response = render(request, partial if request.htmx else template, context, status=status)
    # One address answers with a page or a fragment: a cache must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _refused(request: HtmxHttpRequest, submission: Submission, refusal: InvalidState) -> HttpResponse:
    """The submission cannot be changed now (submitted or withdrawn meanwhile, perhaps in another tab)."""
    messages.error(request, refusal.message)
    url = reverse("submissions:detail", args=[submission.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _after_save(
    request: HtmxHttpRequest,
    submission: Submission,
    steps: list[Step],
    step: Step,
    action: str,
    notices: dict[str, str],
) -> HttpResponse:
    onward = {
        "next": steps[step.number] if step.number < len(steps) else None,
        "previous": steps[step.number - 2] if step.number > 1 else None,
    }.get(action)
    if request.htmx:
        if onward is not None:
            return HttpResponseClientRedirect(onward.url)
        submission = mine(request, submission.pk)  # at the revision just saved
        check = None
        if action == "check":
            check = grouped_findings(submission, steps, services.completeness_check(submission=submission))
        if step.part is None:
            values = submission.draft.self_evaluation
            return _render_ratings(request, submission, steps, step, values=values, check=check)
        values = draft_values(submission.draft.responses, step.part)
        return _render_part(
            request, submission, steps, step, values=values, notices=notices, action=action, check=check
        )
    if onward is not None:
        return redirect(onward.url)
    if action == "check":
        return redirect(reverse("submissions:check", args=[submission.pk]) + f"?from={step.key}")
    if action.startswith(("add_entry:", "remove_entry:", "add_value:")):
        ref = action.split(":")[1]
        return redirect(f"{step.url}#{field_id(ref)}")
    messages.success(request, _("Step %(number)s is saved.") % {"number": step.number})
    return redirect(step.url)


# ----- a part ------------------------------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def part_step(request: HtmxHttpRequest, submission_id: int, part_id: str) -> HttpResponse:
    submission = mine(request, submission_id)
    steps = steps_for(submission)
    step = step_of(steps, part_id)
    if step is None or step.part is None:
        raise Http404("no such step")
    if not submission.is_editable:
        return not_editable(request, submission)
    part = step.part
    draft = submission.draft
    if request.method == "GET":
        remember_step(request, submission, step)
        values = draft_values(draft.responses, part)
        return _render_part(request, submission, steps, step, values=values)

    definition = submission.version.spec
    action = request.POST.get("action", "save")
    posted = parse_part(part, apply_list_action(request.POST, action))
    if action == "show_conflicts":
        stored = draft_values(draft.responses, part)
        stale = _stale(request, definition, posted, stored, section="responses")
        values = {**stored, **{c.field: posted[c.field] for c in stale}}
        status = 409 if stale else 200
        return _render_part(request, submission, steps, step, values=values, conflicts=stale, status=status)
    changes = changed_only(definition, posted, posted_digests(request.POST))
    if action == "use_saved":
        for ref in request.POST.getlist("conflicted"):
            changes.pop(ref, None)
    errors: list[FieldError] = []
    notices: dict[str, str] = {}
    actor = user_of(request)
    if action.startswith("remove_evidence:"):
        errors += _remove_evidence(request, submission, action.partition(":")[2], notices)
    errors += _attach_uploads(request, submission, part, notices)
    base = _base_revision(request)
    conflicts: list[FieldConflict] = []
    saved = False
    if base is None:
        errors.append(FieldError("revision", str(INCOMPLETE_PAGE)))
    elif changes:
        try:
            services.draft_save(submission=submission, actor=actor, base_revision=base, changes=changes)
            saved = True
        except InvalidInput as refusal:
            errors += refusal.errors
        except Conflict as conflict:
            conflicts = conflict.conflicts
        except InvalidState as refusal:
            return _refused(request, submission, refusal)
    if not errors and not conflicts:
        if action.startswith("resolve_comment:"):
            # A coach's comment is resolved by a button of the step's own form, so what was typed on the step is
            # saved first, with or without JavaScript.
            _resolve_comment(request, action.partition(":")[2])
            return HttpResponseClientRedirect(step.url) if request.htmx else redirect(step.url)
        return _after_save(request, submission, steps, step, action, notices)

    submission = mine(request, submission_id)  # uploads and saves may have moved it on
    if conflicts:
        # Show the draft as saved now, with the educator's own changes laid over it; the fingerprints and the
        # revision are the current ones, so "keep mine" saves over the other version on purpose.
        values = {**draft_values(submission.draft.responses, part), **changes}
        return _render_part(request, submission, steps, step, values=values, conflicts=conflicts, status=409)
    values = {**draft_values(submission.draft.responses, part), **posted}
    # The answers may have saved while a file was refused: then the page continues from the new revision.
    return _render_part(
        request,
        submission,
        steps,
        step,
        values=values,
        errors=errors,
        notices=notices,
        digests=None if saved else posted_digests(request.POST),
        revision=None if saved else base,
        status=422,
    )


def _resolve_comment(request: HtmxHttpRequest, raw_id: str) -> None:
    if not raw_id.isdigit():
        raise Http404("no such comment")
    comment = coaching_selectors.comment_get_for_educator(user=request.user, comment_id=int(raw_id))
    coaching_comment_resolve(actor=user_of(request), comment=comment)
    messages.success(request, _("Comment resolved."))


def _stale(
    request: HtmxHttpRequest,
    definition: CredentialDefinition,
    posted: dict[str, Any],
    stored: dict[str, Any],
    *,
    section: str,
) -> list[FieldConflict]:
    """Both versions of each answer the script's save was refused for (`conflicted`), where they still differ."""
    out = []
    for key in request.POST.getlist("conflicted"):
        name = key.removeprefix(RATING_KEY_PREFIX) if section == "self_evaluation" else key
        if name in posted and differs(definition, key, posted[name], stored.get(name)):
            out.append(FieldConflict(section, name, yours=posted[name], theirs=stored.get(name)))
    return out


def _attach_uploads(
    request: HtmxHttpRequest, submission: Submission, part: Part, notices: dict[str, str]
) -> list[FieldError]:
    """Files chosen in the step's file inputs: posted with the form, or by htmx as soon as they are chosen."""
    errors: list[FieldError] = []
    for spec in part.fields:
        ref = f"{part.id}.{spec.id}"
        if not isinstance(spec, FileField):
            continue
        attached: list[str] = []
        withheld: list[str] = []
        answer = request.POST.get(f"{services.STUDENT_DATA}.{ref}", "")
        for upload in request.FILES.getlist(ref):
            try:
                item = services.evidence_add(
                    submission=submission,
                    actor=user_of(request),
                    field_ref=ref,
                    upload=upload,
                    student_data={"yes": True, "no": False}.get(answer),
                    student_data_consent=request.POST.get(f"{services.STUDENT_DATA_CONSENT}.{ref}") == "yes",
                )
            except InvalidInput as refusal:
                # The declaration is asked beside the file field, so its refusals are shown there.
                errors += [
                    FieldError(ref, e.message)
                    if e.field in (services.STUDENT_DATA, services.STUDENT_DATA_CONSENT)
                    else e
                    for e in refusal.errors
                ]
            except InvalidState as refusal:
                errors.append(FieldError(ref, refusal.message))
            else:
                attached.append(upload.name or _("The file"))
                if item.withheld:
                    withheld.append(item.owner_notice())
        if attached:
            notices[ref] = ngettext(
                "%(files)s is attached to %(label)s.", "%(files)s are attached to %(label)s.", len(attached)
            ) % {"files": ", ".join(attached), "label": spec.label}
        # A file reviewers will not be able to open is said at once, and stays marked in the field's file list.
        for notice in withheld:
            notices[ref] += f" {notice}"
            if not request.htmx:
                messages.warning(request, notice)
    return errors


def _remove_evidence(
    request: HtmxHttpRequest, submission: Submission, evidence_id: str, notices: dict[str, str]
) -> list[FieldError]:
    if not evidence_id.isdigit():
        return []
    item = selectors.evidence_get_for_owner(user=request.user, evidence_id=int(evidence_id))
    if item.submission_id != submission.pk or not item.in_draft:
        raise Http404("no such file in this draft")
    try:
        services.evidence_remove(evidence=item, actor=user_of(request))
    except InvalidState as refusal:
        return [FieldError(item.field_ref, refusal.message)]
    notices[item.field_ref] = f"{item.original_name} is removed."
    if not request.htmx:
        messages.success(request, notices[item.field_ref])
    return []


def _focus_after(action: str, widgets: list[Widget], notices: dict[str, str]) -> tuple[str, str]:
    """Where a button's action done in place leaves the cursor, and what is read out: a new entry, the entry that
    took a removed one's place, a new value box, the file box whose files changed."""
    kind, _, rest = action.partition(":")
    ref, _, position = rest.partition(":")
    widget = next((w for w in widgets if w.ref == ref), None)
    if kind == "add_entry" and widget is not None and widget.entries:
        entry = widget.entries[-1]
        return (entry.widgets[0].html_id if entry.widgets else widget.html_id), f"{entry.legend} added."
    if kind == "remove_entry" and widget is not None and position.isdigit():
        number = int(position)
        if number <= len(widget.entries) and widget.entries[number - 1].widgets:
            focus = widget.entries[number - 1].widgets[0].html_id
        else:
            focus = f"{widget.html_id}-add"
        return focus, f"{widget.item_label} {number} removed."
    if kind == "add_value" and widget is not None:
        return widget.last_value_id, ""
    if notices:
        ref, notice = next(iter(notices.items()))
        return (field_id(ref) if kind == "remove_evidence" else ""), notice
    return "", ""


def _render_part(
    request: HtmxHttpRequest,
    submission: Submission,
    steps: list[Step],
    step: Step,
    *,
    values: dict[str, Any],
    errors: list[FieldError] | None = None,
    conflicts: list[FieldConflict] | None = None,
    notices: dict[str, str] | None = None,
    digests: dict[str, str] | None = None,
    revision: int | None = None,
    action: str = "",
    check: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    assert step.part is not None
    notices = notices or {}
    widgets = step_widgets(
        step.part,
        values=values,
        stored=draft_values(submission.draft.responses, step.part),
        evidence=selectors.submission_evidence(submission=submission),
        errors=errors or [],
    )
    for widget in widgets:
        widget.notice = notices.get(widget.ref, "")
        if digests is not None:
            widget.digest = digests.get(widget.ref, widget.digest)
        if widget.kind == "file" and widget.errors:
            widget.student_data_answer = request.POST.get(f"{services.STUDENT_DATA}.{widget.ref}", "")
            widget.student_data_consent = request.POST.get(f"{services.STUDENT_DATA_CONSENT}.{widget.ref}") == "yes"
    focus, announcement = _focus_after(action, widgets, notices) if request.htmx else ("", "")
    if request.htmx and action == "save" and not announcement:
        announcement = _("Step %(number)s is saved.") % {"number": step.number}
    context = step_context(
        submission,
        steps,
        step,
        widgets=widgets,
        **_outcome(errors, conflicts, check, request),
        conflicts=conflict_views(submission.version.spec, conflicts or []),
        focus=focus,
        announcement=announcement,
    )
    if revision is not None:
        context["revision"] = revision
    return _answer(request, "submissions/step.html", "submissions/_part_form.html", context, status)


def _outcome(
    errors: list[FieldError] | None,
    conflicts: list[FieldConflict] | None,
    check: dict[str, Any] | None,
    request: HtmxHttpRequest,
) -> dict[str, Any]:
    """What the form says about the last post: the error summary's links, the save status, the check results."""
    state = "error" if errors else "conflict" if conflicts else "saved" if request.htmx else ""
    return {
        "error_list": _error_list(errors or []),
        "save_state": state,
        # The fields show what the draft holds (so a copy kept on this device and equal to it can go).
        "shows_stored": not errors and not conflicts,
        "check": check,
    }


def _error_list(errors: list[FieldError]) -> list[dict[str, str]]:
    """The error summary's links: each names the field and goes to it."""
    out = []
    for error in errors:
        if error.field.startswith("self_evaluation."):
            anchor = criterion_id(error.field.split(".", 1)[1])
        elif error.field in ("revision", "base_revision") or "." not in error.field:
            anchor = "main"
        else:
            anchor = field_id(error.field, error.entry)
        out.append({"anchor": anchor, "message": error.message})
    return out


# ----- the self-evaluation -------------------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def self_evaluation_step(request: HtmxHttpRequest, submission_id: int) -> HttpResponse:
    submission = mine(request, submission_id)
    steps = steps_for(submission)
    step = step_of(steps, SELF_EVALUATION)
    if step is None:
        raise Http404("this credential has no self-evaluation")
    if not submission.is_editable:
        return not_editable(request, submission)
    definition = submission.version.spec
    if request.method == "GET":
        remember_step(request, submission, step)
        return _render_ratings(request, submission, steps, step, values=submission.draft.self_evaluation)

    action = request.POST.get("action", "save")
    posted = parse_self_evaluation(definition, request.POST)
    if action == "show_conflicts":
        stored = submission.draft.self_evaluation
        stale = _stale(request, definition, posted, stored, section="self_evaluation")
        values = {**stored, **{c.field: posted[c.field] for c in stale}}
        status = 409 if stale else 200
        return _render_ratings(request, submission, steps, step, values=values, conflicts=stale, status=status)
    changes = changed_ratings(definition, posted, posted_digests(request.POST))
    if action == "use_saved":
        for key in request.POST.getlist("conflicted"):
            changes.pop(key.removeprefix(RATING_KEY_PREFIX), None)
    base = _base_revision(request)
    errors: list[FieldError] = []
    conflicts: list[FieldConflict] = []
    if base is None:
        errors.append(FieldError("revision", str(INCOMPLETE_PAGE)))
    elif changes:
        try:
            services.draft_save(
                submission=submission, actor=user_of(request), base_revision=base, self_evaluation=changes
            )
        except InvalidInput as refusal:
            errors += refusal.errors
        except Conflict as conflict:
            conflicts = conflict.conflicts
        except InvalidState as refusal:
            return _refused(request, submission, refusal)
    if not errors and not conflicts:
        return _after_save(request, submission, steps, step, action, {})
    submission = mine(request, submission_id)
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
        digests=posted_digests(request.POST),
        revision=base,
        status=422,
    )


def _render_ratings(
    request: HtmxHttpRequest,
    submission: Submission,
    steps: list[Step],
    step: Step,
    *,
    values: dict[str, Any],
    errors: list[FieldError] | None = None,
    conflicts: list[FieldConflict] | None = None,
    digests: dict[str, str] | None = None,
    revision: int | None = None,
    check: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    definition = submission.version.spec
    # Criteria and levels in the page's language where the definition has a translation (else marked with theirs).
    shown = definition_shown(definition)
    ratings = rating_widgets(shown, values=values, stored=submission.draft.self_evaluation, errors=errors or [])
    if digests is not None:
        for rating in ratings:
            rating.digest = digests.get(SELF_EVALUATION_PREFIX + rating.criterion.id, rating.digest)
    context = step_context(
        submission,
        steps,
        step,
        ratings=ratings,
        **_outcome(errors, conflicts, check, request),
        conflicts=conflict_views(definition, conflicts or []),
        rubric=shown.rubric,
    )
    if revision is not None:
        context["revision"] = revision
    return _answer(request, "submissions/self_evaluation.html", "submissions/_ratings_form.html", context, status)
