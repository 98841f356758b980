"""The state of everything the educator's dashboard (templates/accounts/dashboard.html) shows, read on every view so
that the page can be kept whole (core.fragments.person_page) and sent again while nothing in it has changed.

Each panel's state is the rows of the very queries the panel draws from (their SQL built once per connection), or
the value itself where the panel shows one number or flag, and whatever the panel computes from the clock, as of
`now`. A panel added to the dashboard adds its state here, or its changes would not show until something else
changed: PANELS names every include and tag the template draws panels with, and a test holds the template to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery
from django.http import HttpRequest

from accounts.models import User
from accounts.selectors import roles_state
from awards.selectors import partner_memberships_of
from coaching.selectors import live_shares_for_coach
from core.compiled import CompiledRows
from notifications.selectors import unread_of
from pages.templatetags.pathway_pages import PANEL_SIZE
from pages.templatetags.submission_pages import dashboard_submissions_state
from pathways.selectors import progress_for_dashboard_state
from reviews.selectors import queue_summary

# What accounts/dashboard.html draws its panels with, each read by dashboard_state below. The person's own fields
# (name, address, staff) are in every kept page's key already (core.fragments.person_page_key).
PANELS = frozenset(
    {
        "submissions/_dashboard.html",
        "awards/_dashboard.html",
        "pathways_dashboard_panel",
        "coaching_dashboard_panel",
        "notifications/_dashboard.html",
        "reviews/_dashboard.html",
        "accounts/_roles.html",
    }
)


# Three panels show one number or flag each: read together, in one query built once per connection, from each
# app's own definition of what it counts.
_COUNTS = CompiledRows(
    lambda uid: (
        User.objects.filter(pk=uid)
        .annotate(
            unread=Subquery(unread_of(OuterRef("pk")).values("user_id").annotate(n=Count("id")).values("n")[:1]),
            partner=Exists(partner_memberships_of(OuterRef("pk"))),
            coach=Exists(live_shares_for_coach(OuterRef("pk"))),
        )
        .values_list("unread", "partner", "coach")
    ),
    int,
)


def dashboard_state(request: HttpRequest, user: User, now: datetime) -> tuple[Any, ...]:
    roles = roles_state(user_id=user.pk)
    _memberships, reviewer_roles = roles
    return (
        user.is_superuser,
        roles,
        dashboard_submissions_state(request),
        # The notifications panel's unread count, the awards panel's partner staff flag, the coaching panel's flag.
        tuple(_COUNTS.fetch(user.pk)),
        progress_for_dashboard_state(user=user, limit=PANEL_SIZE, now=now),
        # The reviewing panel shows the queue only to a reviewer (one with a role).
        queue_summary(user=user, now=now) if reviewer_roles else None,
    )
