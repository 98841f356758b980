"""The educator's side of coaching: the Coaching page of their draft (share with a coach, stop sharing, let a coach
open files or not, every comment with its answer) and resolving a comment, from that page or beside the answer on
the step (templates/coaching/_field_comments.html), without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from catalog.definition_text import definition_shown
from coaching import selectors
from coaching.models import CoachRole
from coaching.selectors import EducatorCoaching, share_state
from coaching.services import (
    MAX_COACHES,
    coaching_comment_resolve,
    coaching_share_create,
    coaching_share_files_set,
    coaching_share_revoke,
)
from core.errors import InvalidInput, InvalidState
from pages.coaching.forms import ShareForm
from pages.submissions.steps import field_id


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required has run
    return request.user


def field_place(submission_id: int, ref: str) -> str:
    """The step holding the answer, at the answer."""
    part_id = ref.split(".")[0]
    return reverse("submissions:part", args=[submission_id, part_id]) + f"#{field_id(ref)}"


def _labels(coaching: EducatorCoaching) -> dict[str, str]:
    definition = definition_shown(coaching.submission.version.spec)
    return {f"{part.id}.{spec.id}": str(spec.label) for part in definition.parts for spec in part.fields}


def _context(coaching: EducatorCoaching, form: ShareForm) -> dict[str, Any]:
    labels = _labels(coaching)
    shares = [
        {"share": share, "state": share_state(share), "role": CoachRole(share.role).label} for share in coaching.shares
    ]
    open_count = sum(1 for row in shares if row["state"] in ("pending", "live"))
    comments = [
        {
            "comment": comment,
            "label": labels.get(comment.field_ref, comment.field_ref),
            "url": field_place(coaching.submission.pk, comment.field_ref),
        }
        for comment in coaching.comments
    ]
    return {
        "submission": coaching.submission,
        "spec": definition_shown(coaching.submission.version.spec),
        "shares": shares,
        "form": form,
        "can_share": coaching.submission.is_editable and open_count < MAX_COACHES,
        "max_coaches": MAX_COACHES,
        "open_comments": [row for row, c in zip(comments, coaching.comments, strict=True) if c.resolved_at is None],
        "resolved_comments": [row for row, c in zip(comments, coaching.comments, strict=True) if c.resolved_at],
    }


@login_required
@require_http_methods(["GET", "POST"])
def submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    coaching = selectors.coaching_for_educator(user=request.user, submission_id=submission_id)
    form = ShareForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = coaching_share_create(
                actor=_user(request),
                submission=coaching.submission,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                files_allowed=form.cleaned_data["files_allowed"],
            )
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        else:
            email = outcome.share.email
            if outcome.bound:
                said = _("Your draft is shared with %(email)s: they can read it and comment now, and we told them.")
            elif outcome.resent:
                said = _("We emailed %(email)s a new link; the link sent before no longer works.")
            else:
                said = _("We emailed %(email)s a link to your draft. It works once, for 14 days.")
            messages.success(request, said % {"email": email})
            return redirect("coaching:submission", submission_id=coaching.submission.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "coaching/submission.html", _context(coaching, form), status=status)


@login_required
@require_POST
def revoke(request: HttpRequest, share_id: int) -> HttpResponse:
    share = selectors.share_get_for_educator(user=request.user, share_id=share_id)
    try:
        coaching_share_revoke(actor=_user(request), share=share)
    except InvalidState as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("You stopped sharing your draft with %(email)s.") % {"email": share.email})
    return redirect("coaching:submission", submission_id=share.submission_id)


@login_required
@require_POST
def files(request: HttpRequest, share_id: int) -> HttpResponse:
    share = selectors.share_get_for_educator(user=request.user, share_id=share_id)
    allowed = request.POST.get("allowed") == "yes"
    try:
        coaching_share_files_set(actor=_user(request), share=share, allowed=allowed)
    except InvalidState as refusal:
        messages.error(request, refusal.message)
    else:
        said = (
            _("%(email)s can now open your evidence files (not those showing students).")
            if allowed
            else _("%(email)s can no longer open your evidence files.")
        )
        messages.success(request, said % {"email": share.email})
    return redirect("coaching:submission", submission_id=share.submission_id)


@login_required
@require_POST
def resolve(request: HttpRequest) -> HttpResponse:
    """Resolve the comment named by the pressed button's value; back to where it was pressed: beside the answer on
    its step, or the Coaching page."""
    try:
        comment_id = int(request.POST.get("comment", ""))
    except ValueError:
        raise Http404("no such comment") from None
    comment = selectors.comment_get_for_educator(user=request.user, comment_id=comment_id)
    coaching_comment_resolve(actor=_user(request), comment=comment)
    messages.success(request, _("Comment resolved."))
    if request.POST.get("from") == "step" and comment.submission.is_editable:
        return redirect(field_place(comment.submission_id, comment.field_ref))
    return redirect("coaching:submission", submission_id=comment.submission_id)
