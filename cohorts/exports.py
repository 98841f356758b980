"""A coordinator's export of the group: one row per shared submission, and one row for each member who does not
share (name, address, joined, and nothing else), as CSV or XLSX through tablib.

Text cells are made safe from spreadsheets that would run a cell starting with = + - @ (or a tab or carriage
return) as a formula: a name is text anyone could have typed. workflow.exports does the same for the issuers'
exports; this app sits below workflow and cannot import it, so the few lines are here again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import tablib  # type: ignore[import-untyped]
from django.utils.translation import gettext

from cohorts.models import Organisation
from cohorts.selectors import STAGES, MemberFilters, members_all

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def headers() -> list[str]:
    return [
        gettext("Name"),
        gettext("Email"),
        gettext("Joined"),
        gettext("Shares progress"),
        gettext("Credential"),
        gettext("Issuer"),
        gettext("Stage"),
        gettext("Status"),
        gettext("Started"),
        gettext("Attempts"),
        gettext("First submitted"),
        gettext("Last decided"),
        gettext("Turnaround (days)"),
        gettext("Sponsored by this group"),
    ]


def group_dataset(*, organisation: Organisation, filters: MemberFilters) -> tablib.Dataset:
    """The rows the filters select; the caller has checked the viewer coordinates `organisation`."""
    data = tablib.Dataset(headers=headers(), title=gettext("Members")[:31])
    for member in members_all(organisation=organisation, filters=filters):
        person = [member.name, member.email, member.joined_at, member.shares]
        if not member.progress:
            data.append([cell_safe(v) for v in [*person, *[None] * 10]])
        for row in member.progress:
            data.append(
                [
                    cell_safe(v)
                    for v in [
                        *person,
                        row.credential,
                        row.issuer,
                        str(STAGES[row.stage][0]),
                        row.status_label,
                        row.started_at,
                        row.attempts,
                        row.first_submitted_at,
                        row.last_decided_at,
                        row.turnaround_days,
                        row.sponsored,
                    ]
                ]
            )
    return data
