"""The one error hierarchy: every refusal any service makes on purpose is a MicrocredError.

As in ORA2's api modules, the caller's mistakes (a bad value, a stale revision, an action that does not
fit the object's state, an object the caller may not see) are separate classes from internal failures.
Each class carries its HTTP status; the pages map the base once to an HTML answer
(pages/errors.py) and the API once to JSON (api/api.py). Anything else that escapes is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext


@dataclass(frozen=True)
class FieldError:
    """One problem with one field. `field` names the input (for a definition's field, the reference it uses:
    "part.field" or "part.list.item"); `entry` is the 1-based position of a list entry when the problem is
    inside one."""

    field: str
    message: str
    entry: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "entry": self.entry}


class MicrocredError(Exception):
    """Base of every refusal the services make on purpose; `message` is written for the person who acted."""

    status_code = 400

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class InvalidInput(MicrocredError):
    """One or more values are not acceptable; nothing was saved."""

    status_code = 422

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        self.errors = errors
        summary = message or "; ".join(
            (gettext("%(field)s (entry %(entry)s): %(message)s") if e.entry else gettext("%(field)s: %(message)s"))
            % {"field": e.field, "entry": e.entry, "message": e.message}
            for e in errors
        )
        super().__init__(summary)

    @classmethod
    def on(cls, field: str, message: str) -> InvalidInput:
        """The common case: one field, one message."""
        return cls([FieldError(field, message)], message)


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


class Conflict(MicrocredError):
    """The object changed since the client read it, in a field the client also changed; nothing was saved."""

    status_code = 409

    def __init__(self, *, revision: int, conflicts: list[FieldConflict]) -> None:
        self.revision = revision
        self.conflicts = conflicts
        names = ", ".join(c.field for c in conflicts)
        super().__init__(
            gettext(
                "%(names)s changed in another tab or device since you loaded this draft (now at revision "
                "%(revision)s); both versions are kept here: choose one, then save again"
            )
            % {"names": names, "revision": revision}
        )


class InvalidState(MicrocredError):
    """The action does not fit where the object stands now (e.g. withdraw after review began)."""

    status_code = 409


class NotAllowed(MicrocredError):
    """The actor may not do this to this object. Selectors answer 404 before this is reached from a request;
    this guards calls from other code paths (commands, admin, other apps)."""

    status_code = 403


class NotFound(MicrocredError):
    """No such object for this caller: answered alike whether it does not exist or may not be seen."""

    status_code = 404


class TooSoon(MicrocredError):
    """Asked again before the interval the action allows; the message says when to try again."""

    status_code = 429
