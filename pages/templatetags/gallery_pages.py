"""The gallery's pieces on other rooms' pages: the earner's panel on their badge page and the link on a
credential's page, each one line in those templates, so neither the awards nor the catalog views know the gallery."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.participants import sharing_consented
from awards.models import Badge
from catalog.presentation import grade_band_labels
from gallery.models import Curation
from gallery.selectors import entry_state_for_earner

register = template.Library()


@register.filter
def grade_band_label(band: str) -> str:
    return grade_band_labels([band])[0] if band else ""


@register.inclusion_tag("gallery/_badge_panel.html", takes_context=True)
def gallery_offer_panel(context: template.Context, badge: Badge) -> dict[str, Any]:
    """The earner's "Offer as a certified example" panel (or where their offer stands, with Withdraw)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    entry = entry_state_for_earner(user=user, badge=badge)
    shown = user is not None and getattr(user, "pk", None) == badge.earner_id
    return {
        "shown": shown and badge.revoked_at is None,
        "badge": badge,
        "entry": entry,
        "standing": entry is not None and entry.withdrawn_at is None,
        "published": entry is not None and entry.withdrawn_at is None and entry.state == Curation.PUBLISHED,
        "declined": entry is not None and entry.withdrawn_at is None and entry.state == Curation.DECLINED,
        "may_share": shown and sharing_consented(user=badge.earner),
        "csrf_token": context.get("csrf_token"),
    }
