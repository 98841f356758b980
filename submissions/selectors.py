"""Reads of submissions, always through an access check: anyone who may not see an object gets Http404,
exactly as if it did not exist, so ids reveal nothing.

For now only the educator who owns a submission may see it, its attempts and its evidence. Reviewers
(issue 4) will see attempts and evidence through assignments: `_evidence_visible_to` is the single
place that widens evidence access, and attempts get their own reviewer selectors there.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Q, QuerySet
from django.http import Http404

from submissions.models import Attempt, Event, Evidence, Submission


def _user_id(user: Any) -> int | None:
    return user.pk if user is not None and getattr(user, "is_authenticated", False) else None


def submission_get_for_educator(*, user: Any, submission_id: int) -> Submission:
    """The submission with its draft, credential, issuer and definition version; 404 unless `user` owns it."""
    owner = _user_id(user)
    submission = (
        Submission.objects.select_related("draft", "credential__issuer", "version")
        .filter(pk=submission_id, educator_id=owner)
        .first()
        if owner is not None
        else None
    )
    if submission is None:
        raise Http404("no such submission")
    return submission


def submission_evidence(*, submission: Submission) -> list[Evidence]:
    """The files attached to the draft now (the caller has already been through an access check)."""
    return list(Evidence.objects.filter(submission=submission, in_draft=True))


def submission_attempts(*, submission: Submission) -> list[Attempt]:
    return list(Attempt.objects.filter(submission=submission).select_related("version").order_by("number"))


def submission_events(*, submission: Submission) -> list[Event]:
    """The timeline, oldest first."""
    return list(Event.objects.filter(submission=submission).select_related("attempt").order_by("at", "id"))


def attempt_get_for_educator(*, user: Any, submission_id: int, number: int) -> Attempt:
    owner = _user_id(user)
    attempt = (
        Attempt.objects.select_related("submission__credential", "version")
        .filter(submission_id=submission_id, number=number, submission__educator_id=owner)
        .first()
        if owner is not None
        else None
    )
    if attempt is None:
        raise Http404("no such attempt")
    return attempt


def _evidence_visible_to(user_id: int) -> Q:
    """Which evidence a signed-in user may open: the educator who uploaded it, and the reviewers assigned
    to an attempt that references the file (reviews decides which assignments count)."""
    from reviews.selectors import evidence_visible_to_reviewer

    return Q(submission__educator_id=user_id) | evidence_visible_to_reviewer(user_id=user_id)


def evidence_get_for_user(*, user: Any, evidence_id: int) -> Evidence:
    """An evidence file the user may open (including files kept only by an earlier attempt); 404 otherwise."""
    owner = _user_id(user)
    item = (
        Evidence.objects.select_related("submission").filter(_evidence_visible_to(owner), pk=evidence_id).first()
        if owner is not None
        else None
    )
    if item is None:
        raise Http404("no such file")
    return item


def submissions_list_for_educator(*, user: Any) -> QuerySet[Submission]:
    """The educator's submissions, most recently changed first, with what a dashboard row shows.

    One query whatever the number of rows: the credential and issuer are joined, and the latest
    attempt's number is an aggregate rather than a per-row lookup."""
    owner = _user_id(user)
    if owner is None:
        return Submission.objects.none()
    return (
        Submission.objects.filter(educator_id=owner)
        .select_related("credential__issuer", "version")
        .annotate(latest_attempt=Max("attempts__number"))
        .order_by("-updated_at", "-id")
    )


NEXT_STEPS: dict[str, str] = {
    "started": "Fill in the form",
    "in_progress": "Finish the form and submit it",
    "submitted": "Wait for review to start (you can still withdraw)",
    "resubmitted": "Wait for review to start (you can still withdraw)",
    "returned_incomplete": "Complete what is missing and submit again",
    "in_review": "Wait for the reviewers' decision",
    "not_yet_earned": "Read the feedback, revise and resubmit",
    "earned": "Nothing: the credential is earned",
    "withdrawn": "Edit the draft and submit when ready",
}


def next_step(submission: Submission) -> str:
    return NEXT_STEPS.get(submission.status, "")
