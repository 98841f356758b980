"""The state of everything the educator's dashboard (templates/accounts/dashboard.html) shows, so that the page can
be kept whole (core.fragments.person_page) and sent again while nothing in it has changed.

Each panel's state is the rows of the very queries the panel draws from (their SQL built once per connection), or
the value itself where the panel shows one number or flag, and whatever the panel computes from the clock, as of
`now`. It comes in two parts:
- `dashboard_live`, read on every view: the person's submissions (every autosave moves their "last saved"; noting
  each in the change log would add a write to the one request typed most often) and the three counts and flags,
  read in one query whose answers change with other people's actions (a notification, a partner's staff, a shared
  draft's owner submitting it).
- `dashboard_state`, read only when the change log shows a write to its scopes (`dashboard_scopes`) since the page
  was kept, or the clock reaches `dashboard_changes_at`: roles, pathways and the review queue's numbers, which
  change seldom and cost most of the reading.
A panel added to the dashboard adds its state to one of them, or its changes would not show until something else
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
from pathways.changes import dashboard_scopes as pathways_scopes
from pathways.selectors import progress_for_dashboard_changes_at, progress_for_dashboard_state
from reviews.changes import NAMES, reviewer_scope
from reviews.selectors import queue_summary_state

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


def dashboard_live(request: HttpRequest, user: User) -> tuple[Any, ...]:
    """The part of the state read on every view (see the module's docstring)."""
    return (
        user.is_superuser,
        dashboard_submissions_state(request),
        # The notifications panel's unread count, the awards panel's partner staff flag, the coaching panel's flag.
        tuple(_COUNTS.fetch(user.pk)),
    )


def dashboard_state(user: User, now: datetime) -> tuple[Any, ...]:
    """The part of the state the change log watches (see the module's docstring)."""
    roles = roles_state(user_id=user.pk)
    _memberships, reviewer_roles = roles
    return (
        roles,
        progress_for_dashboard_state(user=user, limit=PANEL_SIZE, now=now),
        # The reviewing panel shows the queue only to a reviewer (one with a role).
        queue_summary_state(user=user, now=now) if reviewer_roles else None,
    )


def dashboard_scopes(user_id: int) -> tuple[str, ...]:
    """The change-log scopes dashboard_state is drawn from: roles and the queue are the reviewer's scope and the
    names (reviews/changes.py), pathways their own (pathways/changes.py)."""
    return tuple(dict.fromkeys((reviewer_scope(user_id), NAMES, *pathways_scopes(user_id))))


def dashboard_changes_at(state: tuple[Any, ...]) -> datetime | None:
    """When the clock alone changes dashboard_state: a badge on the pathways panel expires, or an open review falls
    due (None: never)."""
    _roles, pathways, queue = state
    moments = [progress_for_dashboard_changes_at(pathways), queue[1] if queue is not None else None]
    return min((moment for moment in moments if moment is not None), default=None)
