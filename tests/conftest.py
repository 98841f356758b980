"""Shared fixtures: the real credential definitions and named personas.

Personas (as in the style guide): Edna the educator, Eli a second educator, Sam and Sid the
issuer-staff reviewers, Mia and Max the mentors, Ada the Classkick admin, Otto the Educators
Rising admin (another issuer's admin from Classkick's point of view), and Pat the platform admin.
A reviewer is made with `reviewer_role_give`: a role (kind and grade bands) held at one issuer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import IssuerMembership, ReviewerProfile, ReviewerRole, User, grade_bands_store
from accounts.services import membership_grant
from catalog.loader import credential_load, definition_read
from catalog.models import Credential, Issuer
from catalog.schema import CredentialDefinition
from core.locale import catalogs_compile
from reviews.calibration import CALIBRATION_DIR, CalibrationFile, calibration_parse

PASSWORD = "correct horse battery staple"

CLASSKICK = "classkick-collaboration"
EDUCATORS_RISING = "educators-rising-collaboration"


def pytest_configure(config: pytest.Config) -> None:
    # WhiteNoise warns on every request when STATIC_ROOT is missing, as it is on a fresh clone before
    # collectstatic; the tests serve static files from the app folders, so an empty one is enough.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # The translation catalogs are compiled in the install step; a test run compiles any that changed since.
    catalogs_compile()


# The fixtures through which a test reaches the test database. A test that asks for none of them (and carries no
# django_db mark) cannot see which engine is under it: it is marked `once`, like the other engine-independent
# tests, so CI's PostgreSQL pass does not run it a second time. A test that reaches the engine another way (a
# subprocess given DATABASE_URL, `connection.vendor`) says so with `each_engine`.
_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("django_db") or item.get_closest_marker("each_engine"):
            continue
        if _DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.once)
    # The slow tests first. A worker that runs out of tests takes some from the end of another's queue, and a
    # minute-long test that started last would have one worker finish it alone, the other idle. In collection
    # order the migration tests (tests/test_migrations.py) came among the last.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The test database, as pytest-django makes it; on PostgreSQL without waiting for each commit's flush.

    A test database is thrown away at the end, so durability buys nothing there, while the transactional
    tests commit thousands of times. Set on the database, it reaches every connection: the live server's
    and the race tests' threads included."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit TO off")
        cursor.execute("SET synchronous_commit TO off")


@pytest.fixture
def real_migrations(transactional_db: None) -> Iterator[None]:
    """The project's migrations, recorded as applied to the test database, for a test that runs them.

    The suite builds its test databases from the models (`--nomigrations` in pyproject.toml): replaying every
    migration of every app cost about 30 s of CPU per database, four databases a CI run. A test that migrates back
    and forth gets the migration modules back here, with each migration marked as applied, so it starts at the
    latest state as a migrated database would; tests/test_migrations.py checks that the models and the migrations
    describe the same schema, which is what makes the two starting points the same."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    from core import changes

    disabled = settings.MIGRATION_MODULES
    settings.MIGRATION_MODULES = {}
    # The migrations run here without `migrate`, whose signals take the change log's triggers off and put them back
    # (core/apps.py): SQLite cannot rebuild or drop a table a trigger names.
    changes.uninstall()
    try:
        recorder = MigrationRecorder(connection)
        recorder.ensure_schema()
        applied = recorder.applied_migrations()
        for app_label, name in MigrationLoader(connection, ignore_no_migrations=True).graph.nodes:
            if (app_label, name) not in applied:
                recorder.record_applied(app_label, name)
        yield
    finally:
        settings.MIGRATION_MODULES = disabled
        changes.install()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness (about half a second a hash here) is its point in production and
    # only a cost in tests, which hash and check passwords hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    # A request in Spanish leaves Spanish active in the thread (LocaleMiddleware activates and never resets), so
    # without this the next test on the same worker would run in Spanish, whatever order xdist chose.
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def parsed_definitions() -> list[tuple[CredentialDefinition, str]]:
    """Every definition under credentials/, read and validated once per test session.

    Parsing the YAML and validating it against the schema is the costly half of loading; the rows are
    still written per test (each test runs in its own transaction), by the same loader `make run` uses."""
    paths = sorted(Path(settings.CREDENTIALS_DIR).glob("*.yaml"))
    assert paths
    return [(definition_read(path), path.name) for path in paths]


@pytest.fixture(scope="session")
def parsed_samples() -> list[tuple[CalibrationFile, str]]:
    """The calibration files under credentials/calibration/, read and validated once per test session (as the
    definitions are, above); tests/reviews/test_calibration.py reads the folder."""
    folder = settings.CREDENTIALS_DIR / CALIBRATION_DIR
    paths = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    assert paths
    return [(calibration_parse(path.read_text(encoding="utf-8"), source=path.name), path.name) for path in paths]


@pytest.fixture
def credentials(db: Any, parsed_definitions: list[tuple[CredentialDefinition, str]]) -> dict[str, Credential]:
    """Every definition under credentials/, loaded as `make run` loads them."""
    for definition, source_name in parsed_definitions:
        # A copy, so a test that changes a definition in memory cannot leak into the next test.
        credential_load(definition=definition.model_copy(deep=True), source_name=source_name)
    return {c.slug: c for c in Credential.objects.select_related("issuer", "current_version")}


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(email: str, name: str | None = None, **extra: Any) -> User:
        user = User.objects.create_user(
            email=email, password=PASSWORD, name=name or email.split("@")[0].title(), **extra
        )
        return user

    return make


@pytest.fixture
def educator(make_user: Callable[..., User]) -> User:
    from django.utils import timezone

    return make_user(
        "edna@example.org", "Edna Educator", organisation="Lincoln High School", email_verified_at=timezone.now()
    )


@pytest.fixture
def educator2(make_user: Callable[..., User]) -> User:
    from django.utils import timezone

    return make_user(
        "eli@example.org", "Eli Educator", organisation="Roosevelt Middle School", email_verified_at=timezone.now()
    )


def _issuer(slug: str) -> Issuer:
    issuer = Issuer.objects.filter(slug=slug).first()
    if issuer is None:
        raise LookupError(f"issuer {slug!r} is not loaded: request the `credentials` fixture first")
    return issuer


def reviewer_role_give(
    user: User, issuer: Issuer, kind: str, bands: list[str] | None = None, *, capacity: int = 5, conflicts: str = ""
) -> ReviewerRole:
    """Make the person a reviewer at the issuer with this role (kind and grade bands), as an issuer admin's grant
    would, without the audit row; their profile is made with `capacity` and `conflicts` if they have none.
    Issuer staff reviewers are also made members of the issuer's staff, as the demo's are."""
    from django.utils import timezone

    ReviewerProfile.objects.get_or_create(user=user, defaults={"capacity": capacity, "conflicts": conflicts})
    if kind == ReviewerRole.Kind.ISSUER_STAFF:
        IssuerMembership.objects.get_or_create(user=user, issuer=issuer, role=IssuerMembership.Role.STAFF)
    return ReviewerRole.objects.create(
        user=user, issuer=issuer, kind=kind, grade_bands=grade_bands_store(bands or []), granted_at=timezone.now()
    )


def _reviewer(make_user: Callable[..., User], email: str, kind: str, issuer: Issuer, bands: list[str]) -> User:
    user = make_user(email)
    reviewer_role_give(user, issuer, kind, bands)
    return user


@pytest.fixture
def classkick(credentials: dict[str, Credential]) -> Credential:
    return credentials[CLASSKICK]


@pytest.fixture
def educators_rising(credentials: dict[str, Credential]) -> Credential:
    return credentials[EDUCATORS_RISING]


@pytest.fixture
def reviewer_staff(make_user: Callable[..., User], classkick: Credential) -> User:
    return _reviewer(
        make_user,
        "sam@classkick.example",
        ReviewerRole.Kind.ISSUER_STAFF,
        classkick.issuer,
        ["primary", "intermediate", "middle_school", "high_school", "college"],
    )


@pytest.fixture
def reviewer_mentor(make_user: Callable[..., User], classkick: Credential) -> User:
    return _reviewer(make_user, "mia@mentors.example", ReviewerRole.Kind.MENTOR, classkick.issuer, ["middle_school"])


@pytest.fixture
def issuer_admin(make_user: Callable[..., User], classkick: Credential) -> User:
    # Through the service, as the admin site and seed_demo do it: it also grants the admin-site permissions.
    user = make_user("ada@classkick.example", "Ada Admin")
    membership_grant(actor=None, user=user, issuer=classkick.issuer, role=IssuerMembership.Role.ADMIN)
    return user


@pytest.fixture
def other_issuer_admin(make_user: Callable[..., User], educators_rising: Credential) -> User:
    user = make_user("otto@educatorsrising.example", "Otto Admin")
    membership_grant(actor=None, user=user, issuer=educators_rising.issuer, role=IssuerMembership.Role.ADMIN)
    return user


@pytest.fixture
def platform_admin(make_user: Callable[..., User]) -> User:
    return make_user("pat@microcred.example", "Pat Platform", is_staff=True, is_superuser=True)
