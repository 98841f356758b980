"""Taking the candidate's identity out of what reviewers read.

Reviewer views are built from the frozen attempt only (never from the User row beyond these terms),
and every string the educator wrote passes through `Redactor`, which replaces the educator's name,
email address and school wherever the educator typed them into an answer, with a marker that says
what was there: "[name removed]", "[email removed]", "[school removed]", "[link removed]".

Matching is done on a folded copy of the text (NFKD, combining marks dropped, casefolded, format
characters such as soft hyphens dropped, and the few letters NFKD keeps whole, like "ø" and "ł",
spelled out), so "DANA", "wHiTfIeLd" and "Dána Whitfíeld" are all "dana whitfield"; each match is
mapped back to its place in the original text, which is what is replaced, so everything around it
keeps its accents and case.

What goes, and why the lines are drawn where they are:
- every email address, whoever's: reviewers never need one to score, and a colleague's address at
  the school's domain names the school as surely as its name does;
- every web address holding any of the terms below (in its host, path, query or fragment, percent-
  encoding undone), or an email address, is replaced whole ("[link removed]"), since a half-redacted
  address is still a way back; other links stay, since evidence such as a video is one;
- each part of the name of 3+ letters, in any case and with or without accents, with a plural or
  possessive ("Whitfield's", "the Whitfields"), also at a camel-case hump ("#TeamWhitfield"). A
  candidate called Will or Grant loses "will" or "grant" from their text: over-redacting is the safe
  failure, and the word reads as a marker rather than vanishing;
- a 2-letter part of the name only when written with a capital ("Li", "NG"): in lower case such
  parts are mostly ordinary words ("an", "bo", "al") that a reviewer needs. Titles in the name
  ("Dr", "Ms", "Jr") are not parts of it;
- the name whole and in its usual variants, with any punctuation or none between the parts ("Dana
  Whitfield", "DanaWhitfield", "dana_whitfield", "Whitfield, Dana"), and initial plus surname either
  way round ("D. Whitfield", "DWhitfield", "d.whitfield", "Whitfield D."), each as one marker;
- the email's local part (3+ characters), in any case;
- the school's name, and the names it shortens to by taking generic trailing words off one at a time
  ("Oak Ridge Middle School" -> "Oak Ridge Middle" -> "Oak Ridge"), each with any punctuation or none
  between the words ("OakRidge", "oak-ridge", "OAKRIDGEMIDDLESCHOOL"), in any case. Its single words
  stay ("an oak tree", "the ridge"): one word of a longer name identifies nothing and is usually an
  ordinary word. A name that shortens to one word of 4+ letters ("Lincoln High School" -> "Lincoln")
  loses that word everywhere, since people do call their school that;
- the initialism of each of those names when it has 3+ letters ("ORMS", "ORM", "O.R.M.S."), with and
  without its small words ("of", "the"), only when written in capitals: initialisms in lower case are
  too often words ("cat", "ate"), and 2-letter ones ("OR", "LH") are too often words or nothing.
Reviewers never see file names: files are labelled by field and downloaded under a neutral name.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import unquote_plus

from accounts.models import User

NAME_REMOVED = "[name removed]"
EMAIL_REMOVED = "[email removed]"
SCHOOL_REMOVED = "[school removed]"
LINK_REMOVED = "[link removed]"
MARKERS = (NAME_REMOVED, EMAIL_REMOVED, SCHOOL_REMOVED, LINK_REMOVED)

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
# Not part of who someone is, and "Dr" or "Ms" taken out of every sentence would help nobody.
_HONORIFICS = {"mr", "mrs", "ms", "mx", "miss", "dr", "prof", "jr", "sr", "ii", "iii", "iv"}
_SMALL = {"of", "the", "and", "for", "at", "in", "on", "a"}
# Letters NFKD leaves whole although readers take them for a plain letter.
_SPELLED = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
# Between the parts of a name: nothing, a joining mark, or space after an optional comma or full stop.
_SEP = "(?:[,.]?\\s{1,2}|[._'\u2019-])?"
_URL = re.compile(
    r"(?:(?:https?|ftps?)://|www\.|mailto:)[^\s<>\"]+"
    r"|(?<![\w@./-])(?:[\w-]+\.)+[^\W\d_]{2,}/[^\s<>\"]*"
)
_URL_TAIL = ".,;:!?'\")]}>"
_EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
_ALNUM = re.compile(r"[^\W_]+")
_LETTERS = re.compile(r"[^\W\d_]+")

Check = Literal["any", "capital", "capitals"]


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if unicodedata.category(char) == "Cf":
        return ""
    out = []
    for part in unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold()):
        if not unicodedata.combining(part):
            out.append(_SPELLED.get(part, part))
    return "".join(out)


def _fold_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original character it came from."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return "".join(pieces), origin


def fold(text: str) -> str:
    """The text as the redactor compares it: no accents, no case (for tests and callers that check)."""
    return _fold_map(text)[0]


@dataclass(frozen=True)
class _Term:
    pattern: re.Pattern[str]
    marker: str
    check: Check = "any"


def _term(regex: str, marker: str, check: Check = "any") -> _Term:
    # A lookahead, so overlapping candidates are all seen and the longest kept.
    return _Term(re.compile(f"(?=({regex}))"), marker, check)


def _joined(pieces: list[str]) -> str:
    return _SEP.join(re.escape(piece) for piece in pieces)


class Redactor:
    def __init__(self, educator: User) -> None:
        terms: list[_Term] = []
        contained: set[str] = set()  # a web address holding one of these (4+ letters) identifies
        tokens: set[str] = set()  # ... and so does one whose part between punctuation is one of these
        words = [_LETTERS.findall(word) for word in fold(educator.name or "").split()]
        words = [pieces for pieces in words if pieces and "".join(pieces) not in _HONORIFICS]
        pieces = [piece for word in words for piece in word]
        if len(pieces) > 1:
            forms = [pieces, [*words[-1], *[p for w in words[:-1] for p in w]]]
            if len(words) > 1:
                surname = words[-1]
                for given in words[:-1]:
                    forms += [[given[0][0], *surname], [*surname, given[0][0]]]
                if len(words) > 2:
                    forms.append(["".join(w[0][0] for w in words[:-1]), *surname])
            for form in forms:
                terms.append(_term(_joined(form), NAME_REMOVED))
                contained.add("".join(form))
        for piece in set(pieces):
            if len(piece) >= 3:
                terms.append(_term(re.escape(piece), NAME_REMOVED))
                (contained if len(piece) >= 4 else tokens).add(piece)
            elif len(piece) == 2:
                terms.append(_term(re.escape(piece), NAME_REMOVED, "capital"))
        email = fold((educator.email or "").strip())
        local = email.split("@", 1)[0]
        if len(local) >= 3:
            terms.append(_term(re.escape(local), NAME_REMOVED))
            contained.update(t for t in _ALNUM.findall(local) if len(t) >= 4)
            contained.add("".join(_ALNUM.findall(local)))
        for variant in self._school_variants(educator.organisation or ""):
            school = [piece for word in variant for piece in word]
            if len("".join(school)) >= 4:
                terms.append(_term(_joined(school), SCHOOL_REMOVED))
                contained.add("".join(school))
            for initials in {
                "".join(w[0][0] for w in variant),
                "".join(w[0][0] for w in variant if w[0] not in _SMALL),
            }:
                if len(initials) >= 3:
                    dotted = r"\.\s?".join(initials) + r"\.?"
                    terms.append(_term(f"{dotted}|{initials}", SCHOOL_REMOVED, "capitals"))
                    tokens.add(initials)
        self._terms = terms
        self._contained = {c for c in contained if len(c) >= 4}
        self._tokens = tokens | {c for c in contained if len(c) == 3}

    @staticmethod
    def _school_variants(organisation: str) -> list[list[list[str]]]:
        """The school's name and the names it shortens to, each as words of letter runs."""
        words = [pieces for pieces in (_LETTERS.findall(word) for word in fold(organisation).split()) if pieces]
        while words and words[0] == ["the"]:
            words = words[1:]
        variants = []
        while words:
            variants.append(words)
            if "".join(words[-1]) not in _GENERIC:
                break
            words = words[:-1]
        return variants

    # ----- finding ------------------------------------------------------------------------------------

    def _term_spans(self, text: str, folded: str, origin: list[int]) -> list[tuple[int, int, str]]:
        found = []
        for term in self._terms:
            for match in term.pattern.finditer(folded):
                start, end = match.span(1)
                if start == end or not _starts_word(text, folded, origin, start):
                    continue
                stop = _ends_word(text, folded, origin, end, plural=term.check == "any")
                if stop is None:
                    continue
                end = stop
                original = text[origin[start] : _original_end(text, folded, origin, end)]
                if term.check == "capital" and not original[:1].isupper():
                    continue
                if term.check == "capitals" and any(c.islower() for c in original):
                    continue
                found.append((start, end, term.marker))
        return found

    def _identifies(self, url: str) -> bool:
        readable = unquote_plus(url)
        folded, origin = _fold_map(readable)
        if _EMAIL.search(folded) or self._term_spans(readable, folded, origin):
            return True
        parts = _ALNUM.findall(folded)
        return any(part in self._tokens for part in parts) or any(
            term in part for part in parts for term in self._contained
        )

    def text(self, value: str) -> str:
        folded, origin = _fold_map(value)
        candidates: list[tuple[int, int, int, str]] = []  # (rank, start, end, marker) in the folded text
        for match in _URL.finditer(folded):
            start, end = match.span()
            while end > start and folded[end - 1] in _URL_TAIL:
                end -= 1
            url = value[origin[start] : _original_end(value, folded, origin, end)]
            if self._identifies(url):
                marker = EMAIL_REMOVED if folded.startswith("mailto:", start) else LINK_REMOVED
                candidates.append((0, start, end, marker))
        candidates += [(1, m.start(), m.end(), EMAIL_REMOVED) for m in _EMAIL.finditer(folded)]
        candidates += [(2, start, end, marker) for start, end, marker in self._term_spans(value, folded, origin)]
        if not candidates:
            return value
        # Addresses first; then, as a reader would, the leftmost name and of two there the longest: "Oak Ridge
        # Middle School" whole before "Oak Ridge", and "Dana Whitfield, DanaWhitfield" as two names.
        candidates.sort(key=lambda c: (c[0], c[1], c[1] - c[2]))
        taken: list[tuple[int, int, str]] = []  # kept in order, so each candidate meets only its neighbours
        for _, start, end, marker in candidates:
            at = bisect_left(taken, (start,))
            if (at == 0 or taken[at - 1][1] <= start) and (at == len(taken) or end <= taken[at][0]):
                taken.insert(at, (start, end, marker))
        out = []
        position = 0
        for start, end, marker in taken:
            out += [value[position : origin[start]], marker]
            position = _original_end(value, folded, origin, end)
        out.append(value[position:])
        return "".join(out)

    def value(self, value: Any) -> Any:
        """The same value with every string in it redacted (dicts, lists and scalars alike)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value


def _original_end(text: str, folded: str, origin: list[int], end: int) -> int:
    """Where a match ending at `end` in the folded text ends in the original, accents that follow included."""
    position = origin[end - 1] + 1 if end > 0 else 0
    while position < len(text) and _fold_char(text[position]) == "":
        position += 1
    return position


def _starts_word(text: str, folded: str, origin: list[int], start: int) -> bool:
    if start == 0 or not folded[start - 1].isalpha():
        return True
    before, first = text[origin[start - 1]], text[origin[start]]
    return before.islower() and first.isupper()  # a camel-case hump: "TeamWhitfield"


def _ends_word(text: str, folded: str, origin: list[int], end: int, *, plural: bool) -> int | None:
    """The end of the word that a match ending at `end` makes (a plural taken in), or None if it is inside a word."""
    for suffix in ("", "s", "es") if plural else ("",):
        stop = end + len(suffix)
        if not folded.startswith(suffix, end):
            continue
        if stop == len(folded) or not folded[stop].isalpha():
            return stop
        last, after = text[origin[stop - 1]], text[origin[stop]]
        if last.islower() and after.isupper():
            return stop
    return None
