"""Fixtures for the pathways tests: two more Classkick credentials (copies of its real definition under other
slugs and titles, loaded as `make run` loads a file), a pathway made through the service, and a credential
earned and issued through the awards services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from awards.models import Badge
from awards.services import badge_issue
from catalog.loader import credential_load
from catalog.models import Credential
from catalog.schema import CredentialDefinition
from pathways.models import Pathway, Rule
from pathways.services import PathwayInput, pathway_save
from tests.awards.conftest import earn, private_media, site_url  # noqa: F401 (fixtures used here)
from tests.conftest import CLASSKICK


@pytest.fixture
def ck_more(
    credentials: dict[str, Credential], parsed_definitions: list[tuple[CredentialDefinition, str]]
) -> list[Credential]:
    """Classkick's "Feedback" and "Reflection": its definition again, under other slugs and titles."""
    definition = next(d for d, _ in parsed_definitions if d.slug == CLASSKICK)
    out = []
    for slug, title in (("classkick-feedback", "Feedback"), ("classkick-reflection", "Reflection")):
        copy = definition.model_copy(deep=True, update={"slug": slug, "title": title})
        credential_load(definition=copy, source_name=f"{slug}.yaml")
        out.append(Credential.objects.select_related("issuer", "current_version").get(slug=slug))
    return out


@pytest.fixture
def make_pathway(issuer_admin: User) -> Callable[..., Pathway]:
    def make(
        credentials: list[Credential], *, rule: str = Rule.ALL, n: int | None = None, title: str = "Collaborator"
    ) -> Pathway:
        data = PathwayInput(
            title=title,
            description="Every way of working together, taken together.",
            credential_ids=[c.pk for c in credentials],
            rule=rule,
            required_count=n,
            is_published=True,
        )
        return pathway_save(actor=issuer_admin, issuer=credentials[0].issuer, data=data)

    return make


@pytest.fixture
def issue(django_capture_on_commit_callbacks: Any) -> Callable[[User, Credential], Badge]:
    """Earn the credential (the awards tests' way: submitted, then moved to earned) and issue its badge."""

    def make(educator: User, credential: Credential) -> Badge:
        with django_capture_on_commit_callbacks(execute=True):
            return badge_issue(attempt=earn(educator, credential))

    return make
