"""The pager of the reviewer queue's submitted reviews."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueuePage:
    """Where the submitted reviews' pager stands, told without counting them: "Page N", with Previous and Next."""

    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1
