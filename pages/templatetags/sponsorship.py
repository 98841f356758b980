"""`{% attempt_sponsored attempt %}`: the line "Sponsored by <organisation>" on an attempt a group's voucher paid
for, for the pages of the educator and the issuer's admins (never the reviewers': it would say who the candidate
works with)."""

from __future__ import annotations

from typing import Any

from django import template

from cohorts.selectors import attempt_sponsor

register = template.Library()


@register.inclusion_tag("cohorts/_sponsored.html")
def attempt_sponsored(attempt: Any) -> dict[str, str]:
    return {"sponsor": attempt_sponsor(attempt_id=attempt.pk) if attempt is not None else ""}
