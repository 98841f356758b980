"""The demo's district group, for `make run` (workflow's seed_demo calls it): Lincoln Unified School District,
coordinated by the demo coordinator, with the demo educator as a member who shares their progress.

Idempotent: what exists is left as it is (a member who has since stopped sharing stays so)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from cohorts.models import Coordinator, Member, Organisation

DEMO_GROUP_SLUG = "lincoln-usd"
DEMO_GROUP_NAME = "Lincoln Unified School District"


def demo_group_ensure(*, coordinator: User, educator: User) -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        slug=DEMO_GROUP_SLUG, defaults={"name": DEMO_GROUP_NAME, "kind": Organisation.Kind.DISTRICT}
    )
    Coordinator.objects.get_or_create(organisation=organisation, user=coordinator)
    if not Member.objects.filter(organisation=organisation, educator=educator).exists():
        now = timezone.now()
        Member.objects.create(
            organisation=organisation,
            email=educator.email,
            educator=educator,
            status=Member.Status.JOINED,
            invited_by=coordinator,
            joined_at=now,
            consent_given_at=now,
        )
    return organisation
