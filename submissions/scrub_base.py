"""What every cleaner of submissions.scrub answers: the copy and what was removed, or why it could not be made."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from typing import IO

# Past this a copy being made spills from memory to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024
# The neutral name written where a format requires an author (a tracked change, a comment) rather than blanking it.
NEUTRAL_AUTHOR = "Author"
NEUTRAL_INITIALS = "A"


class Uncleanable(Exception):
    """The file cannot be cleaned; `reason` completes "it could not be cleaned because …" for the educator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Scrubbed:
    """`content` is the copy, positioned at its start; None when the original needs no cleaning (text).
    `removed` says what was taken out, in words the educator reads, each once."""

    content: IO[bytes] | None
    removed: list[str] = field(default_factory=list)


class Removed:
    """Collects what a cleaner took out, in the order first met, each label once."""

    def __init__(self) -> None:
        self._labels: dict[str, None] = {}

    def add(self, label: str) -> None:
        self._labels.setdefault(label, None)

    def extend(self, labels: list[str]) -> None:
        for label in labels:
            self.add(label)

    def labels(self) -> list[str]:
        return list(self._labels)


def spooled() -> IO[bytes]:
    """A file to write a copy into: in memory while small, on disk past SPOOL_BYTES."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
