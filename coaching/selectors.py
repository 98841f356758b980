"""Reads of coaching, each with its access check.

- The coach reads a share of theirs while it is live. Anyone else gets 404, as if it did not exist; the coach of a
  share that is over (revoked, or its draft submitted) gets `ShareEnded`, a 410 page that says why.
- What a coach reads of a draft is projected here, before any page sees it: fields marked `contains_student_data`
  (and such items of a list) are left out with their values; evidence files only where the educator allowed them,
  and never one marked as holding student data.
- The educator reads their own draft's shares and comments through the submissions selector (404 for anyone else).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.email_links import link_digest
from catalog.schema import CredentialDefinition, FileField, ListField, Part
from coaching.models import CoachComment, CoachingShare
from core.compiled import CompiledRows
from core.errors import MicrocredError
from submissions.models import EDITABLE_STATUSES, Attempt, Evidence, Submission
from submissions.selectors import Viewer, submission_get_for_educator

LIST_PAGE = 25


class ShareEnded(MicrocredError):
    """The coach's share is over: the educator stopped sharing, or the draft was submitted. Said, not hidden."""

    status_code = 410


def _uid(user: Viewer) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None


def _submitted_since() -> Exists:
    # Submitting ends a share even before (or without) workflow marking it: an attempt made after the share was.
    return Exists(Attempt.objects.filter(submission=OuterRef("submission"), submitted_at__gte=OuterRef("created_at")))


def _shares() -> QuerySet[CoachingShare]:
    return CoachingShare.objects.select_related(
        "submission__credential__issuer", "submission__educator", "submission__version", "submission__draft", "coach"
    ).annotate(submitted_since=_submitted_since())


def share_state(share: CoachingShare) -> str:
    """ "revoked", "submitted", "expired" (an invitation nobody accepted in time), "pending" or "live"."""
    if share.revoked_at is not None:
        return "revoked"
    submitted = getattr(share, "submitted_since", None)
    if submitted is None:
        submitted = Attempt.objects.filter(
            submission_id=share.submission_id, submitted_at__gte=share.created_at
        ).exists()
    if share.ended_at is not None or submitted or share.submission.status not in EDITABLE_STATUSES:
        return "submitted"
    if share.coach_id is None:
        expired = share.token_expires_at is None or share.token_expires_at <= timezone.now()
        return "expired" if expired else "pending"
    return "live"


def share_over_message(share: CoachingShare, state: str) -> str:
    if state == "revoked":
        assert share.revoked_at is not None
        return _(
            "%(educator)s stopped sharing this draft with you on %(date)s, so you can no longer read it or comment "
            "on it. The comments you left stay with them."
        ) % {"educator": share.submission.educator.name, "date": date_format(share.revoked_at, "DATE_FORMAT")}
    return _(
        "This draft was submitted for review, so coaching on it has ended: you can no longer read it or comment on "
        "it. The comments you left stay with %(educator)s."
    ) % {"educator": share.submission.educator.name}


def share_get_for_coach(*, user: Viewer, share_id: int) -> CoachingShare:
    """The coach's live share, with its draft; 404 for anyone but its coach, ShareEnded (410) once it is over."""
    uid = _uid(user)
    share = _shares().filter(pk=share_id, coach_id=uid).first() if uid is not None else None
    if share is None:
        raise Http404("no such shared draft")
    state = share_state(share)
    if state != "live":
        raise ShareEnded(share_over_message(share, state))
    return share


@dataclass
class SharesPage:
    shares: Sequence[CoachingShare]
    number: int
    has_next: bool


def shares_for_coach(*, user: Viewer, page: int = 1) -> SharesPage:
    """The live drafts shared with this person, newest share first, a page at a time (one row past the page tells
    whether there is a next one, so nothing is counted)."""
    uid = _uid(user)
    if uid is None:
        return SharesPage([], 1, False)
    page = max(page, 1)
    rows = (
        _shares()
        .filter(~_submitted_since(), coach_id=uid, revoked_at__isnull=True, ended_at__isnull=True)
        .filter(submission__status__in=EDITABLE_STATUSES)
        .annotate(open_comments=Exists(CoachComment.objects.filter(share=OuterRef("pk"), resolved_at__isnull=True)))
        .order_by("-created_at", "-id")
    )
    start = (page - 1) * LIST_PAGE
    found = list(rows[start : start + LIST_PAGE + 1])
    return SharesPage(found[:LIST_PAGE], page, len(found) > LIST_PAGE)


def coaching_for_coach_exists(*, user: Viewer) -> bool:
    """Whether any live draft is shared with this person (the dashboard's way in)."""
    uid = _uid(user)
    return uid is not None and bool(_LIVE_SHARE_FOR_COACH.fetch(uid))


def live_shares_for_coach(coach_ref: Any) -> QuerySet[CoachingShare]:
    """The live drafts shared with a coach, unordered: `coach_ref` an id, or OuterRef to the coach in a subquery."""
    return (
        CoachingShare.objects.filter(
            ~_submitted_since(), coach_id=coach_ref, revoked_at__isnull=True, ended_at__isnull=True
        )
        .filter(submission__status__in=EDITABLE_STATUSES)
        .order_by()
    )


# Read on every dashboard view: its SQL is built once per connection (the ORM's building costs more than running).
_LIVE_SHARE_FOR_COACH = CompiledRows(lambda coach_id: live_shares_for_coach(coach_id).values_list("pk")[:1], int)


# ----- what a coach may read of a draft ---------------------------------------------------------------


@dataclass
class CoachPart:
    part: Part  # a copy holding only the fields a coach may read
    hidden: int  # how many of the part's fields hold student data and are left out


@dataclass
class CoachDraft:
    parts: list[CoachPart]
    responses: dict[str, dict[str, Any]]  # only the readable fields' values
    files: list[dict[str, Any]]  # manifests of the files the coach may open
    files_not_shared: dict[str, int] = field(default_factory=dict)  # field ref -> files the coach does not get

    @property
    def refs(self) -> set[str]:
        return {f"{cp.part.id}.{spec.id}" for cp in self.parts for spec in cp.part.fields}


def coach_parts(definition: CredentialDefinition) -> list[CoachPart]:
    """The definition's parts as a coach reads them: every field marked as holding student data left out, and such
    items left out of a list's entries (a list whose every item is marked is left out whole)."""
    out = []
    for part in definition.parts:
        kept: list[Any] = []
        hidden = 0
        for spec in part.fields:
            if getattr(spec, "contains_student_data", False):
                hidden += 1
                continue
            if isinstance(spec, ListField):
                items = [item for item in spec.item_fields if not getattr(item, "contains_student_data", False)]
                if not items:
                    hidden += 1
                    continue
                if len(items) != len(spec.item_fields):
                    spec = spec.model_copy(update={"item_fields": items})
            kept.append(spec)
        out.append(CoachPart(part.model_copy(update={"fields": kept}), hidden))
    return out


def _file_refs(parts: list[CoachPart]) -> set[str]:
    return {f"{cp.part.id}.{spec.id}" for cp in parts for spec in cp.part.fields if isinstance(spec, FileField)}


def _may_open(item: Evidence, file_refs: set[str]) -> bool:
    # Marked as holding student data means answered yes, or never asked (files from before the question).
    return item.field_ref in file_refs and item.student_data is False and bool(item.file.name)


def coach_draft(share: CoachingShare) -> CoachDraft:
    """What the coach of a live share reads of its draft (call with a share from share_get_for_coach)."""
    definition = share.submission.version.spec
    parts = coach_parts(definition)
    saved = share.submission.draft.responses
    responses: dict[str, dict[str, Any]] = {}
    for cp in parts:
        stored = saved.get(cp.part.id, {}) if isinstance(saved.get(cp.part.id), dict) else {}
        kept: dict[str, Any] = {}
        for spec in cp.part.fields:
            value = stored.get(spec.id)
            if isinstance(spec, ListField) and isinstance(value, list):
                ids = {item.id for item in spec.item_fields} | {"id"}
                value = [{k: v for k, v in e.items() if k in ids} for e in value if isinstance(e, dict)]
            kept[spec.id] = value
        responses[cp.part.id] = kept
    draft = CoachDraft(parts=parts, responses=responses, files=[])
    file_refs = _file_refs(parts)
    for item in Evidence.objects.filter(submission=share.submission, in_draft=True).exclude(file=""):
        if item.field_ref not in draft.refs:
            continue
        if share.files_allowed and _may_open(item, file_refs):
            draft.files.append(item.manifest())
        else:
            draft.files_not_shared[item.field_ref] = draft.files_not_shared.get(item.field_ref, 0) + 1
    return draft


def coach_evidence_get(*, user: Viewer, share_id: int, evidence_id: int) -> tuple[CoachingShare, Evidence]:
    """A file of a live share's draft the coach may open; 404 for any other (files not allowed, student data, a
    field the coach does not read, a file no longer in the draft)."""
    share = share_get_for_coach(user=user, share_id=share_id)
    if not share.files_allowed:
        raise Http404("no such file")
    item = (
        Evidence.objects.select_related("submission__credential")
        .filter(pk=evidence_id, submission=share.submission, in_draft=True)
        .first()
    )
    if item is not None and not _may_open(item, _file_refs(coach_parts(share.submission.version.spec))):
        item = None
    if item is None:
        raise Http404("no such file")
    return share, item


def comments_by_coach(*, share: CoachingShare) -> list[CoachComment]:
    return list(CoachComment.objects.filter(share=share).order_by("created_at", "id"))


# ----- the educator's side ----------------------------------------------------------------------------


@dataclass
class EducatorCoaching:
    submission: Submission
    shares: list[CoachingShare]
    comments: list[CoachComment]


def coaching_for_educator(*, user: Viewer, submission_id: int) -> EducatorCoaching:
    """The educator's own draft with its shares (newest first) and every comment on it; 404 for anyone else."""
    submission = submission_get_for_educator(user=user, submission_id=submission_id)
    shares = list(_shares().filter(submission=submission).order_by("-created_at", "-id"))
    comments = list(
        CoachComment.objects.filter(submission=submission)
        .select_related("author", "share")
        .order_by("created_at", "id")
    )
    return EducatorCoaching(submission, shares, comments)


def share_get_for_educator(*, user: Viewer, share_id: int) -> CoachingShare:
    uid = _uid(user)
    share = _shares().filter(pk=share_id, submission__educator_id=uid).first() if uid is not None else None
    if share is None:
        raise Http404("no such share")
    return share


def comment_get_for_educator(*, user: Viewer, comment_id: int) -> CoachComment:
    uid = _uid(user)
    comment = (
        CoachComment.objects.select_related("submission", "author")
        .filter(pk=comment_id, submission__educator_id=uid)
        .first()
        if uid is not None
        else None
    )
    if comment is None:
        raise Http404("no such comment")
    return comment


def comments_open_for_submission(*, submission: Submission) -> list[CoachComment]:
    """The open comments on a draft, for its owner's step pages (the caller has the submission from the owner's
    selector)."""
    return list(
        CoachComment.objects.filter(submission=submission, resolved_at__isnull=True)
        .select_related("author")
        .order_by("created_at", "id")
    )


def shares_count_for_submission(*, submission: Submission) -> int:
    return CoachingShare.objects.filter(submission=submission, revoked_at__isnull=True, ended_at__isnull=True).count()


# ----- the emailed link -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteLink:
    share: CoachingShare | None
    problem: str = ""


def invite_link_get(*, token: str) -> InviteLink:
    """The share behind an emailed link, or why the link no longer works; 404 unless the token is one we sent."""
    share = _shares().filter(token_hash=link_digest(token)).first() if token else None
    if share is None:
        raise Http404("no such invitation")
    state = share_state(share)
    if state in ("revoked", "submitted"):
        return InviteLink(None, share_over_message(share, state))
    if share.coach_id is not None:
        return InviteLink(None, _("This invitation has been accepted already; the link works only once."))
    if state == "expired":
        return InviteLink(
            None,
            _("This link has expired. Ask %(educator)s to share the draft with you again.")
            % {"educator": share.submission.educator.name},
        )
    return InviteLink(share)
