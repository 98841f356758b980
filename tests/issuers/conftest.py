"""Fixtures for an issuer's reviewer management: the reviews tests' calibrated panels and attempts (Sam and Sid,
Classkick staff; Mia and Max, Classkick mentors; Ola, Educators Rising staff), reused as they are, and Django's
outbox read after the transaction that queued each email commits."""

from __future__ import annotations

from tests.reviews.conftest import (  # noqa: F401  (pytest finds fixtures by name in a conftest)
    ck_attempt,
    ck_panel,
    make_reviewer,
    other_staff,
    private_media,
    samples,
)
