"""The coach's pages: the drafts shared with me, one draft read-only with a comment form per answer, a file the
educator let them open, and the emailed invitation's link. Rules: coaching/services.py; reads: coaching/selectors.py
(anyone but the coach gets 404; the coach of a share that is over gets a 410 page saying why)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from catalog.definition_text import definition_shown
from catalog.schema import ListField
from coaching import selectors
from coaching.models import CoachComment, CoachingShare, CoachRole
from coaching.selectors import ShareEnded
from coaching.services import coaching_comment_add, coaching_invite_accept
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, NotAllowed
from pages.coaching.forms import CommentForm
from pages.submissions.answers import part_answers
from pages.submissions.steps import field_id
from submissions.models import ReviewerCopy
from submissions.services import evidence_reviewer_copy_make


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required has run
    return request.user


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = selectors.shares_for_coach(user=request.user, page=min(max(number, 1), 10_000))
    return render(request, "coaching/index.html", {"page": page})


def _draft_context(share: CoachingShare, *, failed: CommentForm | None = None) -> dict[str, Any]:
    """The draft as its coach reads it: per part the answers they may read, each with their comments and a form."""
    draft = selectors.coach_draft(share)
    shown = {part.id: part for part in definition_shown(share.submission.version.spec).parts}
    mine: dict[str, list[CoachComment]] = {}
    for comment in selectors.comments_by_coach(share=share):
        mine.setdefault(comment.field_ref, []).append(comment)
    sections = []
    for coach_part in draft.parts:
        # The questions in the reader's language, limited to the fields (and list items) the coach may read.
        words = shown.get(coach_part.part.id, coach_part.part)
        said = {spec.id: spec for spec in words.fields}
        part = coach_part.part.model_copy(
            update={
                "title": words.title,
                "fields": [_in_words(spec, said.get(spec.id)) for spec in coach_part.part.fields],
            }
        )
        fields = []
        for answer, spec in zip(part_answers(part, draft.responses, draft.files), part.fields, strict=True):
            ref = f"{part.id}.{spec.id}"
            form = failed if failed is not None and failed.data.get("field") == ref else None
            fields.append(
                {
                    "ref": ref,
                    "answer": answer,
                    "comments": mine.get(ref, []),
                    "not_shared": draft.files_not_shared.get(ref, 0),
                    "form": form or CommentForm(initial={"field": ref}, prefix=None),
                    "form_id": field_id(ref) + "-comment",
                    "anchor": field_id(ref) + "-comments",
                }
            )
        sections.append({"part": part, "fields": fields, "hidden": coach_part.hidden})
    return {
        "share": share,
        "submission": share.submission,
        "educator": share.submission.educator,
        "role": CoachRole(share.role).label,
        "sections": sections,
        "failed": failed,
    }


def _in_words(kept: Any, said: Any) -> Any:
    """The field as shown in the reader's language, unless it is a list the coach reads only some items of."""
    if said is None or said.kind != kept.kind:
        return kept
    if isinstance(kept, ListField):
        items = {item.id for item in kept.item_fields}
        return said.model_copy(update={"item_fields": [i for i in said.item_fields if i.id in items]})
    return said


def _coach_share(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The coach of a share that is over gets a page saying why (410), in place of the page asked for."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except ShareEnded as ended:
            return render(request, "coaching/ended.html", {"message": ended.message}, status=ended.status_code)

    return wrapper


@login_required
@_coach_share
@require_GET
def draft(request: HttpRequest, share_id: int) -> HttpResponse:
    share = selectors.share_get_for_coach(user=request.user, share_id=share_id)
    return render(request, "coaching/draft.html", _draft_context(share))


@login_required
@_coach_share
@require_POST
def comment_add(request: HttpRequest, share_id: int) -> HttpResponse:
    share = selectors.share_get_for_coach(user=request.user, share_id=share_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        ref = form.cleaned_data["field"]
        try:
            coaching_comment_add(actor=_user(request), share=share, field_ref=ref, body=form.cleaned_data["body"])
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
        else:
            messages.success(
                request,
                _("Your comment is sent. %(educator)s sees it beside that answer.")
                % {"educator": share.submission.educator.name},
            )
            return redirect(reverse("coaching:draft", args=[share.pk]) + f"#{field_id(ref)}-comments")
    return render(request, "coaching/draft.html", _draft_context(share, failed=form), status=422)


@login_required
@_coach_share
@require_GET
def evidence(request: HttpRequest, share_id: int, evidence_id: int) -> FileResponse:
    """A file the educator let the coach open: the reviewer's copy (without the details that name its maker), under
    a neutral name, as every evidence file reaches anyone but its owner; recorded as "evidence.viewed"."""
    share, item = selectors.coach_evidence_get(user=request.user, share_id=share_id, evidence_id=evidence_id)
    if item.reviewer_copy == ReviewerCopy.PENDING:
        item = evidence_reviewer_copy_make(evidence=item)
    if item.reviewer_copy not in (ReviewerCopy.CLEANED, ReviewerCopy.SAME) or not item.reviewer_file.name:
        raise Http404("this file could not be cleaned of identifying details, so it is not shared")
    try:
        stream = item.reviewer_file.open("rb")
    except FileNotFoundError:
        raise Http404("the stored file is missing") from None
    extension = {"image": item.detail, "audio": item.detail}.get(item.detected_type, item.detected_type)
    response = FileResponse(stream, as_attachment=True, filename=f"evidence-{item.pk}.{extension}")
    response["Content-Type"] = item.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    audit_record(
        action="evidence.viewed",
        subject=share,
        actor=_user(request),
        data={"evidence": item.pk, "field": item.field_ref, "coaching": True},
    )
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. Signed out: sign in (or make an account) first, then back here. Signed in: one button binds
    the share to this account, which then reads the draft."""
    viewer = request.user if isinstance(request.user, User) else None
    link = selectors.invite_link_get(token=token)
    if link.share is None:
        return render(request, "coaching/accept.html", {"problem": link.problem}, status=410)
    share = link.share
    here = reverse("coaching:accept", args=[token])
    if request.method == "POST" and viewer is not None:
        try:
            coaching_invite_accept(token=token, viewer=viewer)
        except (InvalidState, NotAllowed) as refusal:
            return render(request, "coaching/accept.html", {"problem": refusal.message}, status=refusal.status_code)
        messages.success(
            request,
            _("%(educator)s's draft is shared with you. Comment beside any answer.")
            % {"educator": share.submission.educator.name},
        )
        return redirect("coaching:draft", share_id=share.pk)
    context = {
        "share": share,
        "viewer": viewer,
        "own": viewer is not None and viewer.pk == share.submission.educator_id,
        "role": CoachRole(share.role).label,
        "login_url": f"{reverse('accounts:login')}?next={here}",
        "signup_url": f"{reverse('accounts:signup')}?next={here}",
    }
    return render(request, "coaching/accept.html", context, status=403 if context["own"] else 200)
