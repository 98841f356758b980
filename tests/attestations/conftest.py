"""Fixtures for confirmations by collaborators: Educators Rising's program as written (confirmations possible, none
required) and a variant that requires them, a filled draft of each, and asking through the real service.

Personas besides the shared ones: Dana, the collaborator (an address with no account: `DANA`); the ER panel's
reviewers (tests/reviews/conftest.py) where a reviewer is needed. Educators Rising's admin is `other_issuer_admin`,
Classkick's `issuer_admin` (another issuer's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings

from accounts.models import User
from catalog.loader import credential_load, definition_parse
from catalog.models import Credential
from notifications.models import Email
from submissions.models import Draft, Submission
from submissions.services import attestation_request, submission_start
from tests.submissions.helpers import answers_for, required_uploads, save, upload

ER_FILE = Path(__file__).resolve().parents[2] / "credentials" / "educators-rising-collaboration.yaml"
LOG = "artifacts.planning_log"
DANA = "dana.mentor@school.example"
# The variant: one confirmed entry in all, and the expert's conversation among them.
AS_WRITTEN = "          required_confirmed: 0\n"
REQUIRED = "          required_confirmed: 1\n          required_each: {item: kind, values: [expert]}\n"


@pytest.fixture(autouse=True)
def _site(settings: LazySettings, tmp_path: Path) -> None:
    settings.SITE_URL = "http://testserver"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def filled(educator: User, credential: Credential) -> Submission:
    """The educator's draft with every required answer (the log: a peer, an expert, a network) and file."""
    credential.refresh_from_db()
    assert credential.current_version is not None
    definition = credential.current_version.spec
    submission, _ = submission_start(educator=educator, credential=credential)
    # The band the ER panel's reviewers (tests/reviews/conftest.py) are given.
    save(submission, educator, {**answers_for(definition), "overview.grade_band": "middle_school"})
    for field, name, content in required_uploads(definition):
        upload(submission, educator, field, name, content)
    return Submission.objects.get(pk=submission.pk)


@pytest.fixture
def er_draft(educator: User, educators_rising: Credential) -> Submission:
    return filled(educator, educators_rising)


@pytest.fixture
def strict_er(educators_rising: Credential) -> Credential:
    """Educators Rising with confirmations required: loaded as a new version, as a changed file would be."""
    text = ER_FILE.read_text()
    assert AS_WRITTEN in text
    definition = definition_parse(text.replace(AS_WRITTEN, REQUIRED), source=ER_FILE.name)
    credential_load(definition=definition, source_name=ER_FILE.name)
    educators_rising.refresh_from_db()
    return educators_rising


@pytest.fixture
def strict_draft(educator: User, strict_er: Credential) -> Submission:
    return filled(educator, strict_er)


def log(submission: Submission) -> list[dict[str, Any]]:
    return list(Draft.objects.get(pk=submission.pk).responses["artifacts"]["planning_log"])


def entry_id(submission: Submission, position: int) -> str:
    return str(log(submission)[position - 1]["id"])


def token_sent_to(email: str) -> str:
    """The token of the latest link emailed to the address (the queued email's context holds the link)."""
    row = Email.objects.filter(to=email).order_by("-pk").first()
    assert row is not None
    return str(row.context["url"]).rstrip("/").rsplit("/", 1)[1]


def ask(submission: Submission, educator: User, position: int = 1, email: str = DANA) -> str:
    """Ask as the educator for the entry at `position` (1-based); the token of the emailed link."""
    attestation_request(
        submission=submission, actor=educator, field_ref=LOG, entry_id=entry_id(submission, position), email=email
    )
    return token_sent_to(email)
