"""Counts in words: the singular for one, the plural otherwise, never "(s)"."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from awards.documents import _seat_words, criteria_narrative
from pages.templatetags.award_pages import credential_form_words, graduate_credits
from submissions.checks import Finding
from submissions.errors import NotReady

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("credits", "words"),
    [(1, "1 graduate credit"), (Decimal("1.0"), "1 graduate credit"), (Decimal("1.5"), "1.5 graduate credits"),
     (Decimal("3.00"), "3 graduate credits"), (0, "0 graduate credits")],
)  # fmt: skip
def test_graduate_credits(credits, words):
    assert graduate_credits(credits) == words


@pytest.mark.parametrize(
    ("count", "title", "words"),
    [(1, "mentor", "1 mentor"), (2, "Educators Rising assessor", "2 Educators Rising assessors"),
     (3, "issuer staff", "3 issuer staffs"), (2, "Lead assessors", "2 Lead assessors")],
)  # fmt: skip
def test_seats_in_words(count, title, words):
    assert _seat_words(count, title) == words


def test_the_criteria_narrative_counts_reviewers_and_seats_in_words(educators_rising):
    assert educators_rising.current_version is not None
    narrative = criteria_narrative(educators_rising.current_version.spec)
    assert "by 2 reviewers (2 Educators Rising assessors)" in narrative


@pytest.mark.parametrize(("blocking", "words"), [(1, "1 thing must be fixed"), (2, "2 things must be fixed")])
def test_a_refused_submit_counts_what_to_fix(blocking, words):
    findings = [Finding(check=f"c{i}", severity="blocking", message="x") for i in range(blocking)]
    assert NotReady(findings).message == f"{words} before you can submit"


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ("json", "a JSON credential (Data Integrity proof)"),
        ("jwt", "a VC-JWT (JSON Web Token)"),
        ("png (json)", "a baked PNG badge image holding a JSON credential (Data Integrity proof)"),
        ("svg (jwt)", "a baked SVG badge image holding a VC-JWT (JSON Web Token)"),
    ],
)
def test_where_a_credential_was_read_from_is_said_in_words(form, words):
    assert credential_form_words(form) == words


def test_no_template_writes_a_plural_as_s_in_brackets():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "templates").rglob("*")
        if path.is_file()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"[a-z]\(s\)", line)
    ]
    assert offenders == []
