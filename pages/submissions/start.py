"""What the credential page offers an educator for one credential, and where a refused start sends them.

submissions.services.drafts holds the rule (one submission per credential at a time; renewal only where a
definition allows it); this turns its answer into the page's one action: start, continue the open draft,
follow a submission that is with the reviewers, or "Earned — view your badge" (with a renewal button when
the definition allows one now).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from awards.selectors import badges_list_for_earner
from catalog.models import Credential
from submissions import selectors
from submissions.errors import StartRefused
from submissions.models import Status, Submission
from submissions.services import submission_start_refusal

ActionKind = Literal["start", "continue", "follow", "earned"]


@dataclass(frozen=True)
class StartAction:
    """`url` is a link to follow, except for "start", whose button posts to the start view. `renew` says an
    earned credential may be started again now; `note` says when it may, if not yet."""

    kind: ActionKind
    label: str
    url: str
    note: str = ""
    renew: bool = False


def badge_url(user: User, submission: Submission) -> str | None:
    """The badge page of the earned submission's badge, unless it is not issued yet (or was revoked)."""
    uuid = (
        badges_list_for_earner(user=user)
        .prefetch_related(None)
        .filter(attempt__submission=submission, revoked_at__isnull=True)
        .values_list("uuid", flat=True)
        .first()
    )
    return reverse("awards:detail", args=[uuid]) if uuid else None


def _earned(user: User, submission: Submission, *, renew: bool = False, note: str = "") -> StartAction:
    url = badge_url(user, submission)
    if url is None:
        # Earned a moment ago: the badge is issued after the decision is committed.
        return StartAction(
            "earned",
            _("Earned — see your submission"),
            reverse("submissions:detail", args=[submission.pk]),
            note,
            renew,
        )
    return StartAction("earned", _("Earned — view your badge"), url, note, renew)


def refusal_action(user: User, refusal: StartRefused) -> StartAction:
    """Where to go instead of a second start: the open submission, or the badge of the earned one."""
    submission = refusal.submission
    if refusal.reason == "earned":
        note = (
            _("You can renew it from %(day)s.") % {"day": date_format(refusal.renew_from, "DATE_FORMAT")}
            if refusal.renew_from
            else ""
        )
        return _earned(user, submission, note=note)
    if submission.is_editable:
        return StartAction("continue", _("Continue your draft"), reverse("submissions:resume", args=[submission.pk]))
    status = Status(submission.status).label.lower()
    label = _("See your submission (%(status)s)") % {"status": status}
    return StartAction("follow", label, reverse("submissions:detail", args=[submission.pk]))


def start_action(user: User, credential: Credential) -> StartAction:
    refusal = submission_start_refusal(educator=user, credential=credential)
    if refusal is not None:
        return refusal_action(user, refusal)
    start = reverse("submissions:start", args=[credential.slug])
    earned = (
        selectors.submissions_list_for_educator(user=user)
        .filter(credential=credential, status=Status.EARNED, is_open=False)
        .first()
    )
    if earned is not None:
        return _earned(user, earned, renew=True)
    return StartAction("start", _("Start"), start)
