"""accounts.0003 turns each reviewer profile's global kind, issuers and grade bands into one role per issuer
(the same kind and bands), and keeps capacity, conflicts and the pause on the profile.

The database is migrated back to before it, old-style profiles are written through the historical models, and
the migration is run forward again. Migrating changes the schema, so this runs outside the per-test
transaction and puts every app back at its latest migration when it finishes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import ReviewerProfile, ReviewerRole

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("real_migrations")]

BEFORE = [("accounts", "0002_throttle")]
AFTER = [("accounts", "0003_reviewer_roles")]


def migrate(targets: list[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest() -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_each_profiles_issuers_become_roles_of_its_kind_and_bands(
    classkick: Any, educators_rising: Any, make_user: Any, latest: None
) -> None:
    staff = make_user("sam@classkick.example")
    mentor = make_user("mia@mentors.example")
    idle = make_user("ida@mentors.example")
    old = migrate(BEFORE)
    Profile: Any = old.get_model("accounts", "ReviewerProfile")
    both = [classkick.issuer_id, educators_rising.issuer_id]
    Profile.objects.create(
        user_id=staff.pk, kind="issuer_staff", grade_bands="|primary|college|", capacity=3
    ).issuers.set(both)
    Profile.objects.create(
        user_id=mentor.pk, kind="mentor", grade_bands="|middle_school|", conflicts="Oak Ridge", is_active=False
    ).issuers.set([classkick.issuer_id])
    Profile.objects.create(user_id=idle.pk, kind="mentor", grade_bands="|")  # reviews for nobody yet

    migrate(AFTER)
    # The rows are read through today's models, so the later migrations (new columns) run first.
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    roles = {
        (role.user.email, role.issuer.slug): (role.kind, role.grade_band_list(), role.granted_by_id)
        for role in ReviewerRole.objects.select_related("user", "issuer")
    }
    assert roles == {
        ("sam@classkick.example", "classkick"): ("issuer_staff", ["primary", "college"], None),
        ("sam@classkick.example", "educators-rising"): ("issuer_staff", ["primary", "college"], None),
        ("mia@mentors.example", "classkick"): ("mentor", ["middle_school"], None),
    }
    kept = {
        p.user.email: (p.capacity, p.conflicts, p.is_active) for p in ReviewerProfile.objects.select_related("user")
    }
    assert kept == {
        "sam@classkick.example": (3, "", True),
        "mia@mentors.example": (5, "Oak Ridge", False),
        "ida@mentors.example": (5, "", True),
    }
