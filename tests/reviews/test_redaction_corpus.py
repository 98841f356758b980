"""Blind review holds against the ways an educator writes their own name, email and school.

Dana Whitfield of Oak Ridge Middle School fills every free-text place a definition has (text answers, short
answers, list entries, links, self-evaluation justifications, file names) with a corpus of variants of who she
is, and submits through the real services, so a real panel is seated. Every variant is then asserted absent,
case-insensitively and with accents folded, from what each assigned reviewer receives: the scoring page
(and the queue and decline pages, and each file's download name) through the Django test client, and the
API's JSON with a token; for each seat of both programs, the lead assessor's included, and for the reviewer of
a resubmission, who also reads the earlier answers and their feedback. Ordinary words that share letters with
her name or school are asserted to survive, as decided in reviews/anonymise.py: "an oak tree", "the ridge",
"planning", "other middle school teachers", a colleague's name, and a link that names nobody.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from itertools import cycle
from pathlib import PurePath
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from catalog.models import Credential
from catalog.schema import CredentialDefinition, LinkField, ListField, ShortTextField, SubmissionField, TextField
from reviews.anonymise import EMAIL_REMOVED, LINK_REMOVED, MARKERS, NAME_REMOVED, SCHOOL_REMOVED, fold
from reviews.models import Assignment, AssignmentState, SeatRole
from submissions.models import Attempt, Submission
from submissions.services import submission_start
from tests.reviews.helpers import scores
from tests.submissions.api_client import as_token
from tests.submissions.helpers import answers_for, ratings_for, required_uploads, save, upload
from workflow.services import attempt_submit, review_submit

# What Dana writes, in about 130 words, so it fits every text field and justification of both programs.
CORPUS = (
    "I am Dana Whitfield, DANA to my students and Ms WHITFIELD on the door; my badge says Dána Whitfíeld "
    "and the register spells it Da\u0301na wHiTfIeLd. Whitfield's team (the Whitfields, Dana-Whitfield on "
    'the rota, "Dana" in the staff room) signs as D. Whitfield or DWhitfield; Whitfield, D. on forms. '
    "Email dwhitfield@oakridgems.example, d.whitfield@gmail.com, dana.whitfield@outlook.example, "
    "whitfield.d@staff.example or mailto:Dana.Whitfield@oakridgems.example; my login is dwhitfield, "
    "@dwhitfield and #TeamWhitfield online. Blog: https://oakridge.example.org/~dwhitfield, "
    "https://video.example/watch?v=7&teacher=Dana%20Whitfield and oakridge.example.org/staff/dwhitfield. "
    "I teach at Oak Ridge Middle School (Oak Ridge Middle, or just Oak Ridge; OakRidge, OAKRIDGE, "
    "OakRidgeMiddleSchool, Oak-Ridge), known as ORMS, ORM or O.R.M.S. to parents. "
    "An oak tree stands on the ridge; our planning with other middle school teachers and Ms. Smith uses "
    "https://video.example/watch/42 every week."
)
SHORT = ["DWhitfield, O.R.M.S.", "Whitfield's room, OakRidge", "D. Whitfield", "Dana WHITFIELD, ORMS"]
LINK = "https://oakridge.example.org/~dwhitfield?ref=Dana.Whitfield"
FILE_STEM = "Dana Whitfield - ORMS lesson plan"

# Every variant above; each must be absent (folded: no case, no accents) from what a reviewer receives.
VARIANTS = [
    "Dana",
    "Whitfield",
    "Dana Whitfield",
    "Dána Whitfíeld",
    "wHiTfIeLd",
    "Whitfield's",
    "Whitfields",
    "Dana-Whitfield",
    "D. Whitfield",
    "DWhitfield",
    "Whitfield, D.",
    "TeamWhitfield",
    "dwhitfield@oakridgems.example",
    "oakridgems.example",
    "d.whitfield@gmail.com",
    "gmail.com",
    "dana.whitfield@outlook.example",
    "whitfield.d@staff.example",
    "mailto:",
    "https://oakridge.example.org/~dwhitfield",
    "oakridge.example.org",
    "~dwhitfield",
    "teacher=Dana%20Whitfield",
    "Oak Ridge Middle School",
    "Oak Ridge Middle",
    "Oak Ridge",
    "OakRidge",
    "OakRidgeMiddleSchool",
    "Oak-Ridge",
    FILE_STEM,
]
# Initialisms are checked in capitals and as whole words: "orm" is inside "form", which every page has.
INITIALISMS = re.compile(r"(?<![A-Za-z])(?:O\.\s?R\.\s?M\.?(?:\s?S\.?)?|ORMS?)(?![A-Za-z])")
RANDOM_TOKEN = re.compile(r"[A-Za-z0-9]{32,}")
SURVIVORS = [
    "An oak tree stands on the ridge",
    "our planning with other middle school teachers and Ms. Smith",
    "https://video.example/watch/42",
]


def assert_anonymous(received: str, where: str) -> None:
    # Random tokens (the CSRF token: 64 letters and digits) are taken out first: by chance one holds "dana".
    received = RANDOM_TOKEN.sub(" ", received)
    folded = fold(received)
    for variant in VARIANTS:
        at = folded.find(fold(variant))
        assert at < 0, f"{where} shows {variant!r}: {received[max(at - 200, 0) : at + 100]!r}"
    found = INITIALISMS.search(received)
    assert found is None, f"{where} shows {found[0]!r}: {received[max(found.start() - 200, 0) : found.end() + 100]!r}"


def page_text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def api_text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    # Re-dumped without ASCII escapes, so "D\u00e1na" in the JSON is compared as "Dána".
    return json.dumps(response.json(), ensure_ascii=False)


# ----- filling a draft with the corpus -----------------------------------------------------------------------


def _identifying(spec: SubmissionField | Any, shorts: Any) -> Any:
    if isinstance(spec, TextField):
        return CORPUS
    if isinstance(spec, LinkField):
        return [LINK]
    if isinstance(spec, ShortTextField) and spec.pattern is None:
        value = next(v for v in shorts if len(v) <= spec.max_length)
        return [value] if spec.multiple else value
    return None


def corpus_answers(definition: CredentialDefinition) -> dict[str, Any]:
    """Complete answers (tests.submissions.helpers.answers_for) with every free-text place holding the corpus,
    optional fields and list entries included."""
    answers = answers_for(definition)
    band = definition.grade_band_field()
    if band is not None:  # the band the panel fixtures' mentors review
        part = next(p for p in definition.parts if band in p.fields)
        answers[f"{part.id}.grade_band"] = "middle_school"
    shorts = cycle(SHORT)
    for part in definition.parts:
        for spec in part.fields:
            ref = f"{part.id}.{spec.id}"
            if isinstance(spec, ListField):
                for entry in answers.get(ref) or []:
                    for item in spec.item_fields:
                        value = _identifying(item, shorts)
                        if value is not None:
                            entry[item.id] = value
                continue
            value = _identifying(spec, shorts)
            if value is not None:
                answers[ref] = value
    return answers


def submit_corpus(educator: User, credential: Credential) -> Attempt:
    credential.refresh_from_db()
    assert credential.current_version is not None
    definition = credential.current_version.spec
    submission, _ = submission_start(educator=educator, credential=credential)
    ratings = {cid: {**rating, "justification": CORPUS} for cid, rating in ratings_for(definition).items()}
    save(submission, educator, corpus_answers(definition), ratings or None)
    for field, name, content in required_uploads(definition):
        upload(submission, educator, field, FILE_STEM + PurePath(name).suffix, content)
    return attempt_submit(submission=Submission.objects.get(pk=submission.pk), actor=educator)


def seated(attempt: Attempt) -> list[Assignment]:
    rows = Assignment.objects.filter(attempt=attempt, state=AssignmentState.OPEN).select_related("reviewer", "seat")
    return list(rows.order_by("pk"))


@pytest.fixture
def dana(make_user: Callable[..., User]) -> User:
    return make_user(
        "dwhitfield@oakridgems.example",
        "Dana Whitfield",
        organisation="Oak Ridge Middle School",
        email_verified_at=timezone.now(),
    )


# ----- what each reviewer receives ---------------------------------------------------------------------------


def assert_reviewer_receives_no_identity(assignment: Assignment, *, survivors: bool = True) -> str:
    """The scoring page, its confirmation and decline pages and the queue, signed in as the assigned reviewer;
    the assignment, its review and the queue from the API with the reviewer's token; and each evidence file's
    label and download name, from the API and the page route. Answers the scoring page's text."""
    reviewer = assignment.reviewer
    browser = Client()
    browser.force_login(reviewer)
    score = page_text(browser.get(reverse("reviews:score", args=[assignment.pk])))
    assert_anonymous(score, f"the scoring page of {reviewer.email}")
    for name in ("decline", "queue"):
        args = [assignment.pk] if name == "decline" else []
        assert_anonymous(page_text(browser.get(reverse(f"reviews:{name}", args=args))), f"reviews:{name}")
    api = as_token(reviewer)
    detail = api.get(f"/api/v1/reviews/assignments/{assignment.pk}")
    body = api_text(detail)
    assert_anonymous(body, f"the API's assignment for {reviewer.email}")
    for path in (f"/api/v1/reviews/assignments/{assignment.pk}/review", "/api/v1/reviews/assignments"):
        assert_anonymous(api_text(api.get(path)), path)
    for file in detail.json()["evidence"]:
        assert_anonymous(file["label"], "an evidence file's label")
        downloads: list[Any] = [
            api.get(file["download_path"]),
            browser.get(reverse("submissions:evidence", args=[file["id"]])),
        ]
        for download in downloads:
            assert download.status_code == 200
            assert_anonymous(download["Content-Disposition"], "an evidence file's download name")
            assert b"".join(download.streaming_content)
    # The markers are there to be read, on the page and in the API alike.
    for marker in MARKERS:
        assert marker in score, marker
        assert marker in body, marker
    if survivors:
        for words in SURVIVORS:
            assert words in score, words
            assert words in body, words
    return score


def test_classkick_reviewers_receive_none_of_the_variants_on_the_page_or_through_the_api(
    dana: User, classkick: Credential, ck_panel: dict[str, User], issuer_admin: User
) -> None:
    attempt = submit_corpus(dana, classkick)
    assignments = seated(attempt)
    assert len(assignments) == 4, "the panel is seated: two staff, two mentors"
    # The corpus reached the attempt unchanged: what is checked below is the redaction, not a refusal.
    assert attempt.responses["evidence"]["balance"] == CORPUS
    assert attempt.self_evaluation["balance"]["justification"] == CORPUS
    assert attempt.responses["reflection"]["reflection_video"] == [LINK]
    assert {item["name"] for item in attempt.evidence_manifest} == {FILE_STEM + ".pdf"}
    for assignment in assignments:
        score = assert_reviewer_receives_no_identity(assignment)
    # The link that named her is shown as a marker, not as a link to nowhere; the other link stays a link.
    assert f">{LINK_REMOVED}</" in score
    assert f'href="{LINK_REMOVED}"' not in score
    assert 'href="https://video.example/watch/42"' not in score  # text answers are not linked ...
    assert "https://video.example/watch/42" in score  # ... but the address is kept for the reviewer


def test_educators_rising_list_entries_and_the_lead_assessors_view_carry_no_identity(
    dana: User, educators_rising: Credential, er_panel: dict[str, User], other_issuer_admin: User
) -> None:
    attempt = submit_corpus(dana, educators_rising)
    entries = attempt.responses["artifacts"]["planning_log"]
    assert entries
    assert all(entry["ideas"] == CORPUS for entry in entries)
    assessors = seated(attempt)
    assert len(assessors) == 2
    for assignment in assessors:
        assert_reviewer_receives_no_identity(assignment)

    # The assessors split on one criterion, so the lead assessor is seated and reads the same attempt.
    definition = educators_rising.current_version.spec  # type: ignore[union-attr]
    passing = set(definition.rubric.passing_levels())
    failing = next(level.id for level in definition.rubric.levels if level.id not in passing)
    disputed = definition.rubric.criteria[0].id
    review_submit(assignment=assessors[0], reviewer=assessors[0].reviewer, scores=scores(educators_rising))
    review_submit(
        assignment=assessors[1],
        reviewer=assessors[1].reviewer,
        scores=scores(educators_rising, **{disputed: failing}),
    )
    [lead] = [a for a in seated(attempt) if a.seat.role == SeatRole.ADJUDICATOR]
    html = assert_reviewer_receives_no_identity(lead)
    assert "You are the lead assessor" in html


def test_the_reviewer_of_a_resubmission_sees_no_identity_in_the_earlier_answers_or_their_feedback(
    dana: User, classkick: Credential, ck_panel: dict[str, User], issuer_admin: User
) -> None:
    first = submit_corpus(dana, classkick)
    # A reviewer who recognised her writes her name into the feedback; the next panel must not read it.
    for n, assignment in enumerate(seated(first)):
        given = scores(classkick, **({"balance": "developing"} if n == 0 else {}))
        if n == 0:
            given["balance"]["reasoning"] = "Ms Whitfield of ORMS (dwhitfield@oakridgems.example) planned once."
            given["balance"]["suggestion"] = "Dana should plan with Oak Ridge colleagues every week."
        review_submit(assignment=assignment, reviewer=assignment.reviewer, scores=given)
    first.refresh_from_db()
    submission = Submission.objects.get(pk=first.submission_id)
    save(submission, dana, {"evidence.balance": "We now plan together every Tuesday; DWhitfield leads it."})
    second = attempt_submit(submission=Submission.objects.get(pk=submission.pk), actor=dana)
    assignment = seated(second)[0]

    html = assert_reviewer_receives_no_identity(assignment, survivors=False)

    assert "Changed since attempt 1" in html
    assert "planned once." in html  # the earlier feedback is there, with the name taken out
    assert f"{NAME_REMOVED} of {SCHOOL_REMOVED} ({EMAIL_REMOVED}) planned once." in html
    assert f"We now plan together every Tuesday; {NAME_REMOVED} leads it." in html
