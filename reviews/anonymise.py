"""Taking the candidate's identity out of what reviewers read.

Reviewer views are built from the frozen attempt only (never from the User row beyond these terms),
and every string in them passes through `Redactor`, which replaces the educator's name, email address
and school or organisation wherever the educator typed them into an answer:
- the full name, the full email address and the full organisation, case-insensitively;
- the email's local part (3+ characters), case-insensitively;
- each word of the name (3+ characters) as written with a capital, so "Edna" goes while "will" in
  "I will plan" stays when the educator is called Will;
- the organisation with generic trailing words taken off one at a time ("Lincoln High School" ->
  "Lincoln High" -> "Lincoln"), since people shorten their school's name.
Over-redacting a word is the safe failure. File names are never shown: files are labelled by field.
"""

from __future__ import annotations

import re
from typing import Any

from accounts.models import User

REDACTED = "[redacted]"
_GENERIC = {
    "school",
    "high",
    "middle",
    "elementary",
    "primary",
    "secondary",
    "academy",
    "college",
    "university",
    "district",
    "institute",
    "charter",
    "public",
    "the",
    "of",
}


class Redactor:
    def __init__(self, educator: User) -> None:
        insensitive: set[str] = set()
        sensitive: set[str] = set()
        name = " ".join((educator.name or "").split())
        if len(name) >= 3:
            insensitive.add(name)
            sensitive.update(word for word in re.findall(r"[^\W\d_][\w'-]*", name) if len(word) >= 3)
            sensitive.update(word.capitalize() for word in list(sensitive))
        email = (educator.email or "").strip()
        if email:
            insensitive.add(email)
            local = email.split("@", 1)[0]
            if len(local) >= 3:
                insensitive.add(local)
        organisation = " ".join((educator.organisation or "").split())
        words = organisation.split(" ") if organisation else []
        while words:
            variant = " ".join(words)
            if len(variant) >= 4:
                insensitive.add(variant)
            if words[-1].casefold() not in _GENERIC:
                break
            words = words[:-1]
        self._insensitive = self._pattern(insensitive, re.IGNORECASE)
        self._sensitive = self._pattern(sensitive, 0)

    @staticmethod
    def _pattern(terms: set[str], flags: int) -> re.Pattern[str] | None:
        if not terms:
            return None
        # Longest first, so "Lincoln High School" is replaced whole before "Lincoln" is tried.
        alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
        return re.compile(rf"(?<![\w@.])(?:{alternatives})(?![\w@])", flags)

    def text(self, value: str) -> str:
        for pattern in (self._insensitive, self._sensitive):
            if pattern is not None:
                value = pattern.sub(REDACTED, value)
        return value

    def value(self, value: Any) -> Any:
        """The same value with every string in it redacted (dicts, lists and scalars alike)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value
