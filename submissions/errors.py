"""Refusals only starting and submitting have; everything else is in the one hierarchy of core/errors.py."""

from __future__ import annotations

from datetime import date

from django.utils.translation import ngettext

from core.errors import InvalidState, MicrocredError
from submissions.checks import Finding
from submissions.models import Submission


class NotReady(MicrocredError):
    """Submit refused: the completeness check still has blocking findings."""

    status_code = 422

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        blocking = [f for f in findings if f.severity == "blocking"]
        super().__init__(
            ngettext(
                "%(n)d thing must be fixed before you can submit",
                "%(n)d things must be fixed before you can submit",
                len(blocking),
            )
            % {"n": len(blocking)}
        )


class EmailNotConfirmed(InvalidState):
    """Submit refused until the educator has confirmed their email address.

    Signing up lets an educator start at once; the address must be proven before work is submitted,
    because feedback, decisions and the credential itself are sent and issued to it.
    """

    status_code = 403


class StartRefused(InvalidState):
    """A second start for a credential refused: the educator already has an open submission for it, or has
    earned it and the definition allows no renewal (yet). `submission` is the one to go to instead: the open
    one (`reason` "open") or the earned one ("earned"); `renew_from` is the first day a renewal may start,
    when the definition allows one."""

    def __init__(self, message: str, *, submission: Submission, reason: str, renew_from: date | None = None) -> None:
        self.submission = submission
        self.reason = reason
        self.renew_from = renew_from
        super().__init__(message)
