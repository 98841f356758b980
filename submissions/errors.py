"""What the submission services refuse, and why, in words the educator can act on.

As in ORA2's api modules, the caller's mistakes (a bad value, a stale revision, a submission that is not
ready) are separate classes from internal failures: the API turns each of these into a 4xx response,
and anything else is a bug that should surface as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one field. `field` is the reference the definition uses ("part.field" or
    "part.list.item"); `entry` is the 1-based position of a list entry when the problem is inside one."""

    field: str
    message: str
    entry: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "entry": self.entry}


class SubmissionError(Exception):
    """Base of every refusal the services make on purpose."""

    status_code = 400

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class InvalidInput(SubmissionError):
    """One or more values are not acceptable; nothing was saved."""

    status_code = 422

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        self.errors = errors
        summary = message or "; ".join(
            f"{e.field}{f' (entry {e.entry})' if e.entry else ''}: {e.message}" for e in errors
        )
        super().__init__(summary)


class FileTooLarge(InvalidInput):
    status_code = 413


@dataclass(frozen=True)
class FieldConflict:
    """A field changed by someone else since the client's base revision, with both versions of it.

    `section` is "responses" (then `field` is a field reference) or "self_evaluation" (then `field` is
    a rubric criterion id)."""

    section: str
    field: str
    yours: Any
    theirs: Any

    def as_dict(self) -> dict[str, Any]:
        return {"section": self.section, "field": self.field, "yours": self.yours, "theirs": self.theirs}


class Conflict(SubmissionError):
    """The draft changed since the client read it, in a field the client also changed; nothing was saved."""

    status_code = 409

    def __init__(self, *, revision: int, conflicts: list[FieldConflict]) -> None:
        self.revision = revision
        self.conflicts = conflicts
        names = ", ".join(c.field for c in conflicts)
        super().__init__(
            f"{names} changed in another tab or device since you loaded this draft (now at revision {revision}); "
            "both versions are kept here: choose one, then save again"
        )


class NotReady(SubmissionError):
    """Submit refused: the completeness check still has blocking findings."""

    status_code = 422

    def __init__(self, findings: list[Any]) -> None:
        self.findings = findings
        blocking = [f for f in findings if f.severity == "blocking"]
        super().__init__(f"{len(blocking)} thing(s) must be fixed before you can submit")


class InvalidState(SubmissionError):
    """The action does not fit where the submission or attempt stands now (e.g. withdraw after review began)."""

    status_code = 409


class EmailNotConfirmed(InvalidState):
    """Submit refused until the educator has confirmed their email address.

    Signing up lets an educator start at once; the address must be proven before work is submitted,
    because feedback, decisions and the credential itself are sent and issued to it.
    """

    status_code = 403


class NotAllowed(SubmissionError):
    """The actor may not do this to this object. Selectors answer 404 before this is reached from a request;
    this guards calls from other code paths (commands, admin, other apps)."""

    status_code = 403
