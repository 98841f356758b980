"""Fixtures for the reviews tests: the two real programs, their calibration samples, calibrated panels,
and submitted attempts made through the real submission services.

Personas, besides the shared ones (Edna `educator` at Lincoln High School, Eli `educator2`, Ada the
Classkick admin `issuer_admin`, Otto the Educators Rising admin `other_issuer_admin`, Pat
`platform_admin`):
- Classkick panel (`ck_panel`): Sam and Sid (issuer staff), Mia and Max (mentors, middle school), all
  calibrated;
- Educators Rising panel (`er_panel`): Ann and Bob (assessors: a mentor and a staff member) and Lea
  (Educators Rising's lead assessor), all calibrated;
- Una (`unassigned`): a calibrated Classkick reviewer who holds no seat; Ola (`other_staff`):
  Educators Rising staff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings

from accounts.models import ReviewerRole, User
from catalog.models import Credential
from reviews.calibration import CalibrationFile, calibration_load, rubric_hash
from reviews.models import CalibrationSample
from reviews.services import calibration_submit
from tests.conftest import reviewer_role_give
from tests.reviews.helpers import submit_attempt


@pytest.fixture(autouse=True)
def private_media(settings: LazySettings, tmp_path: Path) -> Path:
    root = tmp_path / "private-media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


@pytest.fixture
def samples(
    credentials: dict[str, Credential], parsed_samples: list[tuple[CalibrationFile, str]]
) -> dict[str, list[CalibrationSample]]:
    """The calibration files under credentials/calibration/, stored as load_calibration_samples stores them."""
    loads = [
        calibration_load(spec=spec.model_copy(deep=True), source_name=source_name)
        for spec, source_name in parsed_samples
    ]
    assert {load.credential for load in loads} == set(credentials)
    return {
        slug: list(CalibrationSample.objects.filter(credential__slug=slug, retired_at__isnull=True).order_by("key"))
        for slug in credentials
    }


def calibrate(user: User, credential: Credential, *, wrong: int = 0) -> None:
    """Score every sample in force; `wrong` criteria (in total) get a level other than the agreed one."""
    credential.refresh_from_db()
    version = credential.current_version
    assert version is not None
    levels = [level.id for level in version.spec.rubric.levels]
    current = CalibrationSample.objects.filter(
        credential=credential, rubric_hash=rubric_hash(version.definition), retired_at__isnull=True
    )
    for sample in current.order_by("key"):
        given = dict(sample.agreed)
        for criterion in list(given)[: max(wrong, 0)]:
            given[criterion] = next(level for level in levels if level != given[criterion])
        wrong -= len(given)
        calibration_submit(reviewer=user, credential=credential, sample=sample, levels=given)


@pytest.fixture
def make_reviewer(make_user: Callable[..., User]) -> Callable[..., User]:
    def make(
        email: str,
        kind: str,
        credential: Credential,
        *,
        bands: list[str] | None = None,
        organisation: str = "",
        conflicts: str = "",
        capacity: int = 5,
        calibrated: bool = True,
        name: str | None = None,
    ) -> User:
        user = make_user(email, name, organisation=organisation)
        band_list = bands if bands is not None else ["middle_school"]
        reviewer_role_give(user, credential.issuer, kind, band_list, capacity=capacity, conflicts=conflicts)
        if calibrated:
            calibrate(user, credential)
        return user

    return make


@pytest.fixture
def ck_panel(make_reviewer: Callable[..., User], classkick: Credential, samples: Any) -> dict[str, User]:
    staff, mentor = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR
    return {
        "sam": make_reviewer("sam@classkick.example", staff, classkick, name="Sam Staff"),
        "sid": make_reviewer("sid@classkick.example", staff, classkick, name="Sid Staff"),
        "mia": make_reviewer("mia@mentors.example", mentor, classkick, name="Mia Mentor"),
        "max": make_reviewer("max@mentors.example", mentor, classkick, name="Max Mentor"),
    }


@pytest.fixture
def er_panel(make_reviewer: Callable[..., User], educators_rising: Credential, samples: Any) -> dict[str, User]:
    staff, mentor, lead = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR, ReviewerRole.Kind.LEAD_ASSESSOR
    ann = make_reviewer("ann@assessors.example", mentor, educators_rising, name="Ann Assessor")
    bob = make_reviewer("bob@educatorsrising.example", staff, educators_rising, name="Bob Assessor")
    # Equal load and never assigned, the assessor seats (any role) go to the lowest profile ids (Ann, Bob); Lea,
    # the lead assessor, is left for the lead seat, which only a lead assessor may take.
    lea = make_reviewer("lea@educatorsrising.example", lead, educators_rising, name="Lea Lead")
    return {"ann": ann, "bob": bob, "lea": lea}


@pytest.fixture
def unassigned(make_reviewer: Callable[..., User], classkick: Credential, samples: Any) -> User:
    """Una: calibrated for Classkick but with no capacity left at the time the panel is filled."""
    return make_reviewer("una@classkick.example", ReviewerRole.Kind.ISSUER_STAFF, classkick, capacity=0, name="Una")


@pytest.fixture
def other_staff(make_reviewer: Callable[..., User], educators_rising: Credential, samples: Any) -> User:
    return make_reviewer("ola@educatorsrising.example", ReviewerRole.Kind.ISSUER_STAFF, educators_rising, name="Ola")


@pytest.fixture
def ck_attempt(educator: User, classkick: Credential, ck_panel: dict[str, User], issuer_admin: User) -> Any:
    return submit_attempt(educator, classkick)
