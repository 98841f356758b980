"""Fixtures for the appeal tests: the reviews tests' calibrated Classkick panel (Sam, Sid, Mia, Max) decides
Edna's attempt "not yet earned" (Balance rated Developing by every reviewer), and Zoe, Classkick staff who held
no seat, is the fresh reviewer an appeal can go to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import ReviewerRole, User
from catalog.models import Credential
from reviews.models import Decision
from submissions.models import Attempt
from tests.reviews.conftest import ck_panel, make_reviewer, private_media, samples  # noqa: F401  (fixtures)
from tests.reviews.helpers import open_assignments, review, submit_attempt

CONTESTED = "balance"
REASON = "My second lesson plan shows both teachers sharing the instruction equally across every station."


@pytest.fixture
def decided(educator: User, classkick: Credential, ck_panel: dict[str, User], issuer_admin: User) -> Attempt:  # noqa: F811
    """Edna's first attempt, decided "not yet earned" on Balance alone."""
    attempt = submit_attempt(educator, classkick)
    for assignment in open_assignments(attempt).values():
        review(assignment, classkick, **{CONTESTED: "developing"})
    decision = Decision.objects.get(attempt=attempt)
    assert decision.outcome == "not_yet_earned"
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def fresh(make_reviewer: Callable[..., User], classkick: Credential, samples: Any) -> User:  # noqa: F811
    return make_reviewer("zoe@classkick.example", ReviewerRole.Kind.ISSUER_STAFF, classkick, name="Zoe Fresh")
