"""Fixtures for the gallery tests: Dana's earned Classkick submission, seeded with who she is (name, email,
school: the identity the metadata corpus uses, tests/submissions/identity.py) and with students' names and grades
in the fields and files the definition marks as holding student data, and her badge issued.

Personas besides the shared ones: Dana (`dana`), the earner; Edna (`educator`) stands in for another educator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from awards.models import Badge
from awards.services import badge_issue
from catalog.models import Credential
from gallery.models import GalleryEntry
from gallery.services import gallery_entry_curate, gallery_entry_offer
from submissions.models import EventKind
from submissions.services import attempt_transition, evidence_add, submission_start
from tests.awards.conftest import private_media, site_url  # noqa: F401  (fixtures, used by every test here)
from tests.submissions.helpers import answers_for, ratings_for, save
from tests.submissions.identity import EMAIL, NAME, SCHOOL
from tests.submissions.identity_corpus import pdf as identity_pdf
from tests.submissions.identity_corpus import wav as identity_wav
from workflow.services import attempt_submit

STUDENTS = ("Maria Gonzalez", "Jamal Carter")
GRADES = ("Grade: B+ (87)", "Grade: A- (91)")
ROSTER = f"Student,Grade\n{STUDENTS[0]},{GRADES[0]}\n{STUDENTS[1]},{GRADES[1]}\n".encode()
EXPLANATION = (
    f"I am {NAME} ({EMAIL}) and I teach at {SCHOOL}. My co-teacher and I planned each unit together, "
    "met weekly to grade, and changed our groupings from what the exit tickets told us."
)
ANALYSIS = f"{STUDENTS[0]} moved from C to {GRADES[0]}; {STUDENTS[1]} reached {GRADES[1]} after the second unit."


def _upload(submission: Any, actor: User, field: str, name: str, content: bytes, *, students: bool) -> None:
    evidence_add(
        submission=submission,
        actor=actor,
        field_ref=field,
        upload=SimpleUploadedFile(name, content),
        student_data=students,
        student_data_consent=students,
    )


def earn_seeded(educator: User, credential: Credential) -> Badge:
    """Dana's submission: identity in her answers and in her files' metadata, students in the marked answer and the
    roster file; a lesson plan she says holds no student data uploaded to the marked file field, which leaves it
    out all the same; submitted, earned and issued."""
    assert credential.current_version is not None
    definition = credential.current_version.spec
    submission, _ = submission_start(educator=educator, credential=credential)
    answers = answers_for(definition)
    answers["evidence.explanation"] = EXPLANATION
    answers["evidence.analysis"] = ANALYSIS
    answers["evidence.other_information"] = f"Write to {EMAIL} or visit https://oakridge.example.org/{NAME}."
    save(submission, educator, answers, ratings_for(definition) or None)
    _upload(submission, educator, "evidence.evidence_files", f"{NAME} roster.csv", ROSTER, students=True)
    _upload(
        submission, educator, "reflection.reflection_audio", f"{NAME} reflection.wav", identity_wav(), students=False
    )
    _upload(submission, educator, "evidence.evidence_files", "plan.pdf", identity_pdf(), students=False)
    attempt = attempt_submit(submission=submission, actor=educator)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.IN_REVIEW)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.EARNED)
    return badge_issue(attempt=attempt)


@pytest.fixture
def dana(make_user: Callable[..., User]) -> User:
    return make_user(EMAIL, NAME, organisation=SCHOOL, email_verified_at=timezone.now())


@pytest.fixture
def badge(dana: User, classkick: Credential, django_capture_on_commit_callbacks: Any) -> Badge:
    with django_capture_on_commit_callbacks(execute=True):
        return earn_seeded(dana, classkick)


@pytest.fixture
def offered(dana: User, badge: Badge) -> GalleryEntry:
    return gallery_entry_offer(earner=dana, badge=badge, consent=True)


@pytest.fixture
def published(offered: GalleryEntry, issuer_admin: User, django_capture_on_commit_callbacks: Any) -> GalleryEntry:
    with django_capture_on_commit_callbacks(execute=True):
        return gallery_entry_curate(admin=issuer_admin, entry=offered, publish=True, note="A clear model of planning.")
