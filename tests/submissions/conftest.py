"""Fixtures for the submissions tests: private media in a temporary folder, the test definitions under
tests/fixtures/submissions/, and personas around them.

Personas, in addition to the shared ones (Edna `educator`, Eli `educator2`, Pat `platform_admin`):
Rita `north_reviewer` (a reviewer for the Practice Portfolio's issuer), Nora `north_admin` (that
issuer's admin) and Sol `south_admin` (another issuer's admin).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings

from accounts.models import IssuerMembership, ReviewerRole, User
from catalog.loader import credential_load, definition_parse
from catalog.models import Credential
from submissions.models import Submission
from submissions.services import submission_start
from tests.conftest import reviewer_role_give

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "submissions"


@pytest.fixture(autouse=True)
def fast_passwords(settings: LazySettings) -> None:
    # The personas are made with passwords; the production hasher's deliberate slowness is not under test here.
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


def load_fixture(name: str, *, replace: dict[str, str] | None = None) -> Credential:
    """Load tests/fixtures/submissions/<name>.yaml the way load_credentials does; `replace` edits the text
    first (to make a changed definition, hence a new version)."""
    text = (FIXTURES / f"{name}.yaml").read_text()
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    credential_load(definition=definition_parse(text, source=f"{name}.yaml"), source_name=f"{name}.yaml")
    return Credential.objects.select_related("issuer", "current_version").get(slug=name)


@pytest.fixture
def portfolio(db: Any) -> Credential:
    return load_fixture("practice-portfolio")


@pytest.fixture
def short_answer(db: Any) -> Credential:
    return load_fixture("short-answer")


@pytest.fixture
def draft(educator: User, portfolio: Credential) -> Submission:
    submission, _ = submission_start(educator=educator, credential=portfolio)
    return submission


@pytest.fixture
def north_reviewer(make_user: Callable[..., User], portfolio: Credential) -> User:
    user = make_user("rita@north.example", "Rita Reviewer")
    reviewer_role_give(
        user, portfolio.issuer, ReviewerRole.Kind.ISSUER_STAFF, ["primary", "middle_school", "high_school"]
    )
    return user


@pytest.fixture
def north_admin(make_user: Callable[..., User], portfolio: Credential) -> User:
    user = make_user("nora@north.example", "Nora Admin", is_staff=True)
    IssuerMembership.objects.create(user=user, issuer=portfolio.issuer, role=IssuerMembership.Role.ADMIN)
    return user


@pytest.fixture
def south_admin(make_user: Callable[..., User], short_answer: Credential) -> User:
    user = make_user("sol@south.example", "Sol Admin", is_staff=True)
    IssuerMembership.objects.create(user=user, issuer=short_answer.issuer, role=IssuerMembership.Role.ADMIN)
    return user
