"""An issuer admin's dashboard (/issuers/<slug>/dashboard/): the figures of reviews/selectors/dashboard.py drawn as
SVG charts (pages/issuers/charts.py), each with its data as a table and as CSV, under a GET filter form (dates,
credential, version). A filter that cannot be used is named in the error summary and left out; the rest apply.

Thin: the selector makes the access check (404 for anyone but the issuer's admins and platform admins) and every
figure; this module only reads the filters and shapes the figures into charts, tables and CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tablib  # type: ignore[import-untyped]
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_GET

from core.errors import InvalidInput
from pages.issuers.charts import Bar, Column, Marker, bar_chart, histogram_chart
from pages.issuers.filters import IssuerFiltersForm
from reviews.selectors import issuers_for_admin
from reviews.selectors.dashboard import Dashboard, DashboardFilters, dashboard_for_admin

# Filter names in the query string -> DashboardFilters' fields.
FILTER_FIELDS = {"from": "date_from", "to": "date_to", "credential": "credential", "version": "version"}


class DashboardFilterForm(IssuerFiltersForm):
    """The credential and version lists are filled from the issuer's own once its figures are read (the selector
    refuses one it does not have)."""

    filter_fields = FILTER_FIELDS

    def filters(self) -> DashboardFilters:
        return DashboardFilters(**self.values())

    def offer(self, board: Dashboard) -> None:
        """The issuer's credentials and the chosen one's versions, as the lists' options."""
        credential = self.fields["credential"]
        version = self.fields["version"]
        credential.widget.choices = [("", gettext("Every credential")), *((c.slug, c.title) for c in board.credentials)]
        chosen = next((c for c in board.credentials if c.slug == board.filters.credential), None)
        numbers = (
            chosen.versions if chosen else sorted({n for c in board.credentials for n in c.versions}, reverse=True)
        )
        version.widget.choices = [
            ("", gettext("Every version")),
            *((str(n), gettext("Version %(n)s") % {"n": n}) for n in numbers),
        ]


def _read(request: HttpRequest, slug: str) -> tuple[Dashboard, DashboardFilterForm]:
    form = DashboardFilterForm(request.GET)
    form.is_valid()
    try:
        board = dashboard_for_admin(user=request.user, slug=slug, filters=form.filters())
    except InvalidInput as refusal:
        for error in refusal.errors:
            if error.field in form.fields:
                form.add_error(error.field, f"{error.message[:1].upper()}{error.message[1:]}.")
        board = dashboard_for_admin(user=request.user, slug=slug, filters=form.filters())
    form.offer(board)
    return board, form


# ----- the charts' data: one table each, shown, drawn and downloaded alike -------------------------------------


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} days"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Any]]  # as read on the page; the first cell names the row
    data: list[list[Any]]  # the same rows for the CSV: numbers, rates as fractions, "" where nothing counted


def _funnel(board: Dashboard) -> Table:
    f = board.funnel
    stages = [
        (pgettext("funnel", "Started"), f.started),
        (pgettext("funnel", "Submitted"), f.submitted),
        (pgettext("funnel", "Decided"), f.decided),
        (pgettext("funnel", "Earned"), f.earned),
        (pgettext("funnel", "Not yet earned"), f.not_yet_earned),
    ]
    share = [(n / f.started if f.started else None) for _, n in stages]
    return Table(
        [gettext("Stage"), gettext("Submissions"), gettext("Share of started")],
        [[label, n, _percent(s)] for (label, n), s in zip(stages, share, strict=True)],
        [[label, n, "" if s is None else round(s, 4)] for (label, n), s in zip(stages, share, strict=True)],
    )


def _turnaround(board: Dashboard) -> Table:
    bins = board.turnaround.bins
    return Table(
        [gettext("Days from submission to decision"), gettext("Decided attempts")],
        [[f"{b.low_days} to under {b.high_days}", b.count] for b in bins],
        [[f"{b.low_days}-{b.high_days}", b.count] for b in bins],
    )


def _several_credentials(board: Dashboard) -> bool:
    return len({c.credential for c in board.criteria}) > 1


def _criteria(board: Dashboard) -> Table:
    both = _several_credentials(board)
    return Table(
        [gettext("Criterion"), gettext("Scores"), gettext("At or above passing"), gettext("Pass rate")],
        [
            [f"{c.credential}: {c.title}" if both else c.title, c.scores, c.passing, _percent(c.rate)]
            for c in board.criteria
        ],
        [
            [f"{c.credential}: {c.title}", c.scores, c.passing, "" if c.rate is None else round(c.rate, 4)]
            for c in board.criteria
        ],
    )


def _bands(board: Dashboard) -> Table:
    return Table(
        [gettext("Grade band"), gettext("Decided attempts"), gettext("Earned"), gettext("Pass rate")],
        [[b.label, b.decided, b.earned, _percent(b.rate)] for b in board.bands],
        [[b.label, b.decided, b.earned, "" if b.rate is None else round(b.rate, 4)] for b in board.bands],
    )


def _resubmissions(board: Dashboard) -> Table:
    r = board.resubmissions
    rows = [
        (gettext("Earned"), r.earned),
        (gettext("Not yet earned again"), r.not_yet_earned),
        (gettext("Awaiting a decision"), r.waiting),
    ]
    return Table(
        [gettext("Resubmissions after a “not yet”"), gettext("Attempts")],
        [[label, n] for label, n in rows],
        [[label, n] for label, n in rows],
    )


def _reviewers(board: Dashboard) -> Table:
    return Table(
        [
            gettext("Reviewer"),
            gettext("Open reviews"),
            gettext("Of them overdue"),
            gettext("Submitted on time"),
            gettext("Came due"),
            gettext("On-time rate"),
        ],
        [
            [p.name, p.open_reviews, p.overdue, p.on_time.on_time, p.on_time.came_due, _percent(p.on_time.rate)]
            for p in board.reviewers
        ],
        [
            [
                p.name,
                p.open_reviews,
                p.overdue,
                p.on_time.on_time,
                p.on_time.came_due,
                "" if p.on_time.rate is None else round(p.on_time.rate, 4),
            ]
            for p in board.reviewers
        ],
    )


TABLES: dict[str, Callable[[Dashboard], Table]] = {
    "funnel": _funnel,
    "turnaround": _turnaround,
    "criteria": _criteria,
    "bands": _bands,
    "resubmissions": _resubmissions,
    "reviewers": _reviewers,
}


def _charts(board: Dashboard) -> dict[str, SafeString]:
    f, t, r = board.funnel, board.turnaround, board.resubmissions
    funnel = bar_chart(
        chart_id="funnel-chart",
        title=gettext("From started to earned"),
        desc=gettext(
            "Of %(started)s submissions started, %(submitted)s were submitted, %(decided)s decided and %(earned)s "
            "earned; %(not_yet)s decided are not yet earned."
        )
        % {
            "started": f.started,
            "submitted": f.submitted,
            "decided": f.decided,
            "earned": f.earned,
            "not_yet": f.not_yet_earned,
        },
        bars=[
            Bar(label, n, f"{n} ({_percent(n / f.started if f.started else None)})")
            for label, n, _ in _funnel(board).rows
        ],
        scale_max=f.started,
    )
    deadline = ", ".join(str(d) for d in t.deadline_days)
    turnaround = histogram_chart(
        chart_id="turnaround-chart",
        title=gettext("Days from submission to decision"),
        desc=(
            f"{t.decided} decided attempts: median {_days(t.median_days)}, 90th percentile {_days(t.p90_days)}; "
            f"{_percent(t.share_within)} decided within the deadline of {deadline} days."
        ),
        columns=[Column(b.low_days, b.high_days, b.count) for b in t.bins],
        markers=[Marker(d, gettext("Deadline: %(d)s days") % {"d": d}) for d in t.deadline_days],
        axis_label=gettext("Days from submission to decision"),
    )
    both = _several_credentials(board)
    criteria = bar_chart(
        chart_id="criteria-chart",
        title=gettext("Pass rate per criterion"),
        desc="; ".join(
            f"{c.title}: {_percent(c.rate)} of {c.scores} scores at or above passing" for c in board.criteria
        ),
        bars=[
            Bar(
                f"{c.credential}: {c.title}" if both else c.title,
                c.rate or 0.0,
                f"{_percent(c.rate)} ({c.passing} of {c.scores})" if c.scores else "no scores",
            )
            for c in board.criteria
        ],
        scale_max=1.0,
    )
    bands = bar_chart(
        chart_id="bands-chart",
        title=gettext("Pass rate per grade band"),
        desc="; ".join(f"{b.label}: {b.earned} of {b.decided} decided attempts earned" for b in board.bands),
        bars=[Bar(b.label, b.rate or 0.0, f"{_percent(b.rate)} ({b.earned} of {b.decided})") for b in board.bands],
        scale_max=1.0,
    )
    resubmissions = bar_chart(
        chart_id="resubmissions-chart",
        title=gettext("Resubmissions after a “not yet”"),
        desc=(
            f"{r.attempts} attempts followed a not yet earned decision: {r.earned} earned, {r.not_yet_earned} not yet "
            f"again, {r.waiting} awaiting a decision."
        ),
        bars=[Bar(label, n, str(n)) for label, n in _resubmissions(board).rows],
        scale_max=r.attempts,
    )
    return {
        "funnel": funnel,
        "turnaround": turnaround,
        "criteria": criteria,
        "bands": bands,
        "resubmissions": resubmissions,
    }


# ----- views ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """The issuers whose dashboard this admin reads; straight to it when there is one."""
    issuers = issuers_for_admin(user=request.user)
    if len(issuers) == 1:
        return redirect("issuers:dashboard", slug=issuers[0].slug)
    return render(request, "issuers/dashboard_home.html", {"issuers": issuers})


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    board, form = _read(request, slug)
    query = request.GET.urlencode()
    tables = {name: make(board) for name, make in TABLES.items()}
    csv = {
        name: reverse("issuers:dashboard_csv", args=[slug, name]) + (f"?{query}" if query else "") for name in TABLES
    }
    context = {
        "board": board,
        "issuer": board.issuer,
        "form": form,
        "tables": tables,
        "charts": _charts(board),
        "csv": csv,
        "filtered": board.filters.active or bool(form.errors),
    }
    return render(request, "issuers/dashboard.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def dashboard_csv(request: HttpRequest, slug: str, chart: str) -> HttpResponse:
    """One chart's data as CSV, under the same filters as the page (a filter that cannot be used is left out)."""
    make = TABLES.get(chart)
    board, _ = _read(request, slug)
    if make is None:
        raise Http404("no such chart")
    table = make(board)
    data = tablib.Dataset(*table.data, headers=table.headers)
    response = HttpResponse(data.export("csv"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{board.issuer.slug}-{chart}.csv")
    return response
