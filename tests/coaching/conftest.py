"""Fixtures for the coaching tests: private media in a temporary folder, an educator's Classkick draft holding
student data (the `evidence.analysis` answer, a file in `evidence.evidence_files`) beside what a coach may
read, and coaches around it.

Personas beyond the shared ones: Cora `coach` (this draft's coach, files allowed), Otis `other_coach` (coaches
Eli's draft, not this one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.utils import timezone

from accounts.models import User
from catalog.models import Credential
from coaching.models import CoachingShare
from coaching.services import coaching_share_create
from submissions.models import Submission
from submissions.services import submission_start
from tests.submissions import files
from tests.submissions.helpers import answers_for, ratings_for, save, upload

SECRET = "ROSTER-SECRET Ava Lopez 92, Ben Okafor 71"
EXPLANATION = "We co-planned the unit every Tuesday and split the grading rubric."


@pytest.fixture(autouse=True)
def fast_passwords(settings: LazySettings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings: LazySettings, tmp_path: Path) -> Path:
    root = tmp_path / "private-media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


def draft_for(educator: User, credential: Credential) -> Submission:
    """A complete draft of the credential (it passes its checks), with the Classkick extras when it is Classkick."""
    submission, _ = submission_start(educator=educator, credential=credential)
    definition = submission.version.spec
    answers = answers_for(definition)
    if "evidence.analysis" in answers:
        answers["evidence.analysis"] = SECRET
        answers["evidence.explanation"] = EXPLANATION
    save(submission, educator, answers, ratings_for(definition) or None)
    if "evidence.analysis" in answers:
        upload(submission, educator, "evidence.evidence_files", "roster.pdf", files.pdf())
        upload(submission, educator, "reflection.reflection_audio", "interview.wav", files.wav())
    return Submission.objects.select_related("draft", "version", "credential").get(pk=submission.pk)


@pytest.fixture
def draft(educator: User, classkick: Credential) -> Submission:
    return draft_for(educator, classkick)


@pytest.fixture
def coach(make_user: Callable[..., User]) -> User:
    return make_user("cora@coaches.example", "Cora Coach", email_verified_at=timezone.now())


@pytest.fixture
def share(draft: Submission, educator: User, coach: User) -> CoachingShare:
    return coaching_share_create(
        actor=educator, submission=draft, email=coach.email, role="mentor", files_allowed=True
    ).share


@pytest.fixture
def other_coach(make_user: Callable[..., User], educator2: User, classkick: Credential) -> User:
    otis = make_user("otis@coaches.example", "Otis Other", email_verified_at=timezone.now())
    submission, _ = submission_start(educator=educator2, credential=classkick)
    coaching_share_create(
        actor=educator2, submission=submission, email=otis.email, role="colleague", files_allowed=True
    )
    return otis


def persona(request: Any, name: str) -> User:
    return request.getfixturevalue(name)
