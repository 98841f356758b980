"""Refusals only submitting has; everything else is in the one hierarchy of core/errors.py."""

from __future__ import annotations

from core.errors import InvalidState, MicrocredError
from submissions.checks import Finding


class NotReady(MicrocredError):
    """Submit refused: the completeness check still has blocking findings."""

    status_code = 422

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        blocking = [f for f in findings if f.severity == "blocking"]
        super().__init__(f"{len(blocking)} thing(s) must be fixed before you can submit")


class EmailNotConfirmed(InvalidState):
    """Submit refused until the educator has confirmed their email address.

    Signing up lets an educator start at once; the address must be proven before work is submitted,
    because feedback, decisions and the credential itself are sent and issued to it.
    """

    status_code = 403
