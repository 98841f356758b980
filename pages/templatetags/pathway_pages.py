"""The pathways' panel on the educator's dashboard: one line in that template, so the accounts views do not know
pathways."""

from __future__ import annotations

from typing import Any

from django import template

from pathways import selectors

register = template.Library()

PANEL_SIZE = 5


@register.inclusion_tag("pathways/_dashboard.html", takes_context=True)
def pathways_dashboard_panel(context: template.Context) -> dict[str, Any]:
    """Progress on the published pathways the user has started (holds one of its credentials) or finished."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"rows": [], "user": user}
    return {"rows": selectors.progress_for_dashboard(user=user, limit=PANEL_SIZE), "user": user}
