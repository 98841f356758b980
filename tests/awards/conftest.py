"""Fixtures for the awards tests: an earned attempt of each real program, made through the submissions
services (the review issue will reach "earned" through its decision; here the attempt is moved there with
the same attempt_transition that decision will call), and the credential issued for it.

Personas besides the shared ones: Uma (`partner_staff`), staff of Demo State University; Vic
(`other_partner_staff`), staff of Demo College of Education.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings

from accounts.models import User
from awards.models import Badge, Partner
from awards.services import badge_issue, partner_staff_add, partners_sync
from catalog.models import Credential
from submissions.models import Attempt, EventKind
from submissions.services import attempt_transition, submission_start
from tests.submissions.helpers import answers_for, ratings_for, required_uploads, save, upload
from workflow.services import attempt_submit


@pytest.fixture(autouse=True)
def private_media(settings: LazySettings, tmp_path: Path) -> Path:
    root = tmp_path / "private-media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


@pytest.fixture(autouse=True)
def site_url(settings: LazySettings) -> str:
    # Fixed so that DIDs and URLs in the tests are predictable (the port shows as %3A in the did:web).
    settings.SITE_URL = "http://testserver:8000"
    return settings.SITE_URL


def earn(educator: User, credential: Credential) -> Attempt:
    """Fill every required field of the credential's definition, submit, and move the attempt to earned."""
    assert credential.current_version is not None
    definition = credential.current_version.spec
    submission, _ = submission_start(educator=educator, credential=credential)
    save(submission, educator, answers_for(definition), ratings_for(definition) or None)
    for field, name, content in required_uploads(definition):
        upload(submission, educator, field, name, content)
    attempt = attempt_submit(submission=submission, actor=educator)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.IN_REVIEW)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.EARNED)
    return attempt


@pytest.fixture
def earn_attempt() -> Callable[[User, Credential], Attempt]:
    return earn


@pytest.fixture
def earned(educator: User, classkick: Credential) -> Attempt:
    return earn(educator, classkick)


@pytest.fixture
def badge(earned: Attempt, django_capture_on_commit_callbacks: Any) -> Badge:
    # Emails go out on commit; the test's transaction never commits, so run the callbacks here.
    with django_capture_on_commit_callbacks(execute=True):
        return badge_issue(attempt=earned)


@pytest.fixture
def badge_er(educator: User, educators_rising: Credential, django_capture_on_commit_callbacks: Any) -> Badge:
    """Edna's Educators Rising credential: that program offers graduate credit."""
    attempt = earn(educator, educators_rising)
    with django_capture_on_commit_callbacks(execute=True):
        return badge_issue(attempt=attempt)


@pytest.fixture
def partners(educators_rising: Credential) -> dict[str, Partner]:
    assert educators_rising.current_version is not None
    partners_sync(version=educators_rising.current_version)
    return {p.slug: p for p in Partner.objects.all()}


@pytest.fixture
def partner_staff(make_user: Callable[..., User], partners: dict[str, Partner]) -> User:
    user = make_user("uma@demo-state.example", "Uma University")
    partner_staff_add(partner=partners["demo-state-university"], user=user)
    return user


@pytest.fixture
def other_partner_staff(make_user: Callable[..., User], partners: dict[str, Partner]) -> User:
    user = make_user("vic@demo-college.example", "Vic College")
    partner_staff_add(partner=partners["demo-college-of-education"], user=user)
    return user
