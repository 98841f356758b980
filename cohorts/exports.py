"""A coordinator's export of the group: one row per shared submission, and one row for each member who does not
share (name, address, joined, and nothing else), as CSV or XLSX through tablib.

Text cells are made safe from spreadsheets that would run them as formulas by core.spreadsheet.cell_safe, the
rule the issuers' exports use too.
"""

from __future__ import annotations

import tablib  # type: ignore[import-untyped]
from django.utils.translation import gettext

from cohorts.models import Organisation
from cohorts.selectors import STAGES, MemberFilters, members_all
from core.spreadsheet import cell_safe


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
