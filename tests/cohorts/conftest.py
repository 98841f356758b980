"""Groups' personas: Cora coordinates Lincoln USD, whose members are Edna (sharing her progress) and Eli (not
sharing); Cody coordinates another group, Riverside chapter; Nora is an educator in no group."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from cohorts.models import Coordinator, Member, Organisation


def join(organisation: Organisation, educator: User, *, share: bool) -> Member:
    """A member as an accepted invitation leaves them (the services' own path is tested in test_members)."""
    now = timezone.now()
    return Member.objects.create(
        organisation=organisation,
        email=educator.email,
        educator=educator,
        status=Member.Status.JOINED,
        joined_at=now,
        consent_given_at=now if share else None,
    )


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user("cora@lincoln.example", "Cora Coordinator")


@pytest.fixture
def group(coordinator: User) -> Organisation:
    organisation = Organisation.objects.create(name="Lincoln USD", slug="lincoln-usd", kind="district")
    Coordinator.objects.create(organisation=organisation, user=coordinator)
    return organisation


@pytest.fixture
def other_coordinator(make_user: Callable[..., User]) -> User:
    user = make_user("cody@riverside.example", "Cody Coordinator")
    other = Organisation.objects.create(name="Riverside chapter", slug="riverside", kind="chapter")
    Coordinator.objects.create(organisation=other, user=user)
    return user


@pytest.fixture
def sharing(group: Organisation, educator: User) -> Member:
    return join(group, educator, share=True)


@pytest.fixture
def private(group: Organisation, educator2: User) -> Member:
    return join(group, educator2, share=False)


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    return make_user("nora@example.org", "Nora Outsider")


PERSONAS = (
    "anonymous",
    "coordinator",
    "other_coordinator",
    "member",
    "outsider",
    "reviewer",
    "issuer_admin",
    "other_issuer_admin",
    "platform_admin",
)


def persona_user(request: Any, persona: str) -> User | None:
    if persona == "anonymous":
        return None
    name = {"member": "educator", "reviewer": "reviewer_staff"}.get(persona, persona)
    user: User = request.getfixturevalue(name)
    return user
