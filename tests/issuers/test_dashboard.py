"""The issuer's dashboard figures (reviews/selectors/dashboard.py) on a small data set built by hand, whose
medians, 90th percentiles and rates are worked out below; the filters; who may read them; and a query count
that stays the same from 10 to 1,000 decided attempts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReviewerRole
from core.errors import InvalidInput
from reviews.models import AssignmentState
from reviews.selectors.dashboard import (
    Dashboard,
    DashboardFilters,
    OnTime,
    dashboard_for_admin,
    on_time_by_reviewer,
    percentile,
)
from submissions.models import Submission
from tests.conftest import reviewer_role_give
from tests.issuers.dashboard_factory import Case, attempts_make

T0 = timezone.make_aware(datetime(2026, 3, 2, 12, 0))
NOW = T0 + timedelta(days=60)
D = timedelta(days=1)


@pytest.fixture
def sam(make_user, classkick):
    user = make_user("sam@classkick.example", "Sam Staff")
    reviewer_role_give(user, classkick.issuer, ReviewerRole.Kind.ISSUER_STAFF, ["middle_school"])
    return user


@pytest.fixture
def sid(make_user, classkick):
    user = make_user("sid@classkick.example", "Sid Staff")
    reviewer_role_give(user, classkick.issuer, ReviewerRole.Kind.ISSUER_STAFF)
    return user


@pytest.fixture
def data(classkick, educators_rising, sam, sid, make_user, educator):
    """Classkick: six educators. Turnaround (days) of the decided attempts: A 1, B 2, C 3, C's resubmission 4,
    D 10, E 20; E's resubmission and F wait for their review. G started and never submitted. Sam reviews all;
    Sid holds a role and nothing else. Educators Rising has one decided attempt of its own, never counted."""
    cases = [
        Case(T0, took=1 * D, earned=True, band="primary"),  # A
        Case(T0 + 1 * D, took=2 * D, earned=True),  # B
        # C: not yet, though its first two criteria passed
        Case(T0 + 2 * D, took=3 * D, levels={"implementation": "exemplary", "balance": "accomplished"}),
        Case(T0 + 10 * D, took=4 * D, earned=True, number=2),  # C's resubmission
        Case(T0 + 20 * D, took=10 * D, earned=True, band="high_school", review_due=5 * D, review_late=True),  # D
        Case(T0 + 21 * D, took=20 * D, band="high_school", review_late=True),  # E
        Case(T0 + 45 * D, number=2),  # E's resubmission: its review is past due (T0 + 59) and still open
        Case(T0 + 50 * D),  # F: in review, due after NOW
    ]
    attempts_make(classkick, cases, sam)
    version = classkick.current_version
    Submission.objects.create(educator=educator, credential=classkick, version=version, created_at=T0 + 30 * D)  # G
    other = make_user("ola@educatorsrising.example", "Ola Other")
    reviewer_role_give(other, educators_rising.issuer, ReviewerRole.Kind.ISSUER_STAFF)
    attempts_make(educators_rising, [Case(T0, took=30 * D, earned=True)], other)
    return cases


def figures(user, **filters) -> Dashboard:
    return dashboard_for_admin(user=user, slug="classkick", filters=DashboardFilters(**filters), now=NOW)


def test_percentile_interpolates_between_the_closest_ranks():
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([1.0, 2.0, 3.0, 10.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 10.0], 0.9) == pytest.approx(7.9)  # 3 + 0.7 * (10 - 3)


def test_the_figures_are_exactly_those_worked_out_by_hand(data, issuer_admin):
    board = figures(issuer_admin)

    funnel = board.funnel
    # Started: A-G; submitted: A-F; decided: A-E; earned: A, B, C (on its resubmission), D; not yet: E.
    assert (funnel.started, funnel.submitted, funnel.decided, funnel.earned, funnel.not_yet_earned) == (7, 6, 5, 4, 1)

    turnaround = board.turnaround
    assert turnaround.decided == 6
    assert turnaround.median_days == pytest.approx(3.5)  # days 1 2 3 4 10 20: (3 + 4) / 2
    assert turnaround.p90_days == pytest.approx(15.0)  # rank 0.9 * 5 = 4.5: 10 + 0.5 * (20 - 10)
    assert turnaround.deadline_days == [14]
    assert turnaround.within_deadline == 5
    assert turnaround.share_within == pytest.approx(5 / 6)
    assert sum(b.count for b in turnaround.bins) == 6
    # 20 days reach: 3-day bins, 0-2 holds days 1 and 2, 3-5 days 3 and 4, 9-11 day 10, 18-20 day 20.
    assert [(b.low_days, b.count) for b in turnaround.bins] == [
        (0, 2),
        (3, 2),
        (6, 0),
        (9, 1),
        (12, 0),
        (15, 0),
        (18, 1),
    ]

    rates = {c.criterion: (c.passing, c.scores) for c in board.criteria}
    assert rates == {"implementation": (5, 6), "balance": (5, 6), "analysis": (4, 6), "evidence": (4, 6)}
    assert next(c.title for c in board.criteria) == "Implementation"

    bands = [(b.label, b.earned, b.decided) for b in board.bands]
    assert bands == [("Primary", 1, 1), ("Middle school", 2, 3), ("High school", 1, 2)]

    resubmissions = board.resubmissions
    assert (resubmissions.attempts, resubmissions.decided, resubmissions.earned, resubmissions.waiting) == (2, 1, 1, 1)
    assert resubmissions.rate == 1.0

    people = {r.email: r for r in board.reviewers}
    assert set(people) == {"sam@classkick.example", "sid@classkick.example"}
    sam = people["sam@classkick.example"]
    assert (sam.open_reviews, sam.overdue) == (2, 1)
    # Came due: A, B, C, C's resubmission (on time), D and E (late), E's resubmission (open past due).
    assert sam.on_time == OnTime(on_time=4, came_due=7)
    assert people["sid@classkick.example"].on_time.rate is None
    assert board.has_decisions


def test_the_percentiles_are_postgresqls_percentile_cont(data, issuer_admin, classkick):
    """Computed in Python from one ordered list (SQLite has no percentile function), they agree with PostgreSQL's."""
    if connection.vendor != "postgresql":
        pytest.skip("percentile_cont is PostgreSQL's; the SQLite run checks the hand-worked values above")
    from catalog.models import CredentialVersion
    from reviews.models import Decision
    from submissions.models import Attempt

    decision, attempt, version = Decision._meta.db_table, Attempt._meta.db_table, CredentialVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP "
            "(ORDER BY EXTRACT(EPOCH FROM d.decided_at - a.submitted_at) / 86400) "
            f"FROM {decision} d JOIN {attempt} a ON a.id = d.attempt_id JOIN {version} v ON v.id = a.version_id "
            "WHERE v.credential_id = %s",
            [classkick.pk],
        )
        median, p90 = cursor.fetchone()[0]
    board = figures(issuer_admin)
    assert board.turnaround.median_days == pytest.approx(median)
    assert board.turnaround.p90_days == pytest.approx(p90)


def test_the_date_range_picks_submissions_by_start_and_attempts_by_submission(data, issuer_admin):
    start, end = (T0 + 10 * D).date(), (T0 + 21 * D).date()
    board = figures(issuer_admin, date_from=start, date_to=end)

    # Started in the range: D (T0 + 19) and E (T0 + 20); D earned.
    assert (board.funnel.started, board.funnel.decided, board.funnel.earned) == (2, 2, 1)
    # Submitted in the range and decided: C's resubmission (4), D (10), E (20).
    assert board.turnaround.decided == 3
    assert board.turnaround.median_days == pytest.approx(10.0)
    assert board.turnaround.p90_days == pytest.approx(18.0)  # rank 1.8: 10 + 0.8 * 10
    assert board.turnaround.within_deadline == 2
    assert {c.criterion: c.scores for c in board.criteria} == dict.fromkeys(
        ["implementation", "balance", "analysis", "evidence"], 3
    )
    assert (board.resubmissions.attempts, board.resubmissions.earned) == (1, 1)
    # Due in the range (from midnight of T0 + 10 to that of T0 + 22, T0 being noon): A (T0 + 14), B (T0 + 15) and
    # C (T0 + 16), all on time; C's resubmission (T0 + 24) and D (T0 + 25) fall after it.
    sam = next(r for r in board.reviewers if r.email == "sam@classkick.example")
    assert sam.on_time == OnTime(on_time=3, came_due=3)
    assert sam.open_reviews == 2  # load is as it stands now, whatever the dates


def test_a_day_range_includes_the_last_day_whole(data, issuer_admin):
    board = figures(issuer_admin, date_from=T0.date(), date_to=T0.date())
    assert board.turnaround.decided == 1  # A, submitted at noon of that day
    assert board.turnaround.median_days == pytest.approx(1.0)


def test_a_credential_and_a_version_narrow_the_figures_to_them(data, issuer_admin, platform_admin, classkick):
    assert classkick.current_version is not None
    number = classkick.current_version.number
    same = figures(issuer_admin, credential="classkick-collaboration", version=number)
    assert same.turnaround.decided == 6
    assert same.funnel.started == 7

    # The platform admin reads Educators Rising's, where only its own attempt counts.
    theirs = dashboard_for_admin(
        user=platform_admin,
        slug="educators-rising",
        filters=DashboardFilters(credential="educators-rising-collaboration"),
    )
    assert theirs.turnaround.decided == 1
    assert theirs.turnaround.median_days == pytest.approx(30.0)
    assert theirs.turnaround.within_deadline == 0


def test_the_first_and_last_days_that_can_be_named_are_read_not_a_server_error(data, issuer_admin):
    from datetime import date

    board = figures(issuer_admin, date_from=date.min, date_to=date.max)
    assert board.turnaround.decided == 6


@pytest.mark.parametrize(
    ("filters", "field", "words"),
    [
        ({"credential": "educators-rising-collaboration"}, "credential", "Classkick's credentials"),
        ({"credential": "classkick-collaboration", "version": 99}, "version", "versions (1)"),
        ({"version": 1}, "version", "choose a credential first"),
        ({"date_from": T0.date(), "date_to": (T0 - D).date()}, "to", "on or after"),
    ],
)
def test_a_filter_the_issuer_cannot_have_is_refused_naming_its_field(data, issuer_admin, filters, field, words):
    with pytest.raises(InvalidInput) as refusal:
        figures(issuer_admin, **filters)
    assert [e.field for e in refusal.value.errors] == [field]
    assert words in refusal.value.errors[0].message


def test_with_no_decided_attempt_every_figure_is_empty_not_a_nan(classkick, issuer_admin):
    board = figures(issuer_admin)
    assert not board.has_decisions
    assert board.turnaround.median_days is None
    assert board.turnaround.share_within is None
    assert board.turnaround.bins == []
    assert board.funnel.started == 0
    assert all(c.rate is None for c in board.criteria)
    assert board.bands == []
    assert board.resubmissions.rate is None


@pytest.mark.parametrize("persona", ["other_issuer_admin", "reviewer_staff", "educator"])
def test_anyone_but_the_issuers_admins_gets_404(request, persona, classkick):
    with pytest.raises(Http404):
        dashboard_for_admin(user=request.getfixturevalue(persona), slug="classkick")


def test_anonymous_gets_404_and_an_unknown_issuer_is_404_even_for_the_platform(classkick, platform_admin):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        dashboard_for_admin(user=AnonymousUser(), slug="classkick")
    with pytest.raises(Http404):
        dashboard_for_admin(user=platform_admin, slug="no-such-issuer")


def test_on_time_rate_counts_what_came_due_for_the_roster_too(data, classkick, sam, sid):
    issuer_id = classkick.issuer_id
    both = on_time_by_reviewer(issuer_id=issuer_id, now=NOW)
    assert both == {sam.pk: OnTime(4, 7)}
    assert both[sam.pk].rate == pytest.approx(4 / 7)
    # Before E's resubmission came due (T0 + 59) it did not count; before anything was due, nothing did.
    assert on_time_by_reviewer(issuer_id=issuer_id, reviewer_ids=[sam.pk], now=T0 + 58 * D) == {sam.pk: OnTime(4, 6)}
    assert on_time_by_reviewer(issuer_id=issuer_id, reviewer_ids=[sid.pk], now=NOW) == {}
    assert on_time_by_reviewer(issuer_id=issuer_id, due_from=T0 + 16 * D, due_until=T0 + 17 * D, now=NOW) == {
        sam.pk: OnTime(1, 1)
    }


def test_reassigned_after_the_due_date_is_late_and_before_it_is_not_counted(data, classkick, sam):
    from reviews.models import Assignment

    late, early = Assignment.objects.filter(reviewer=sam, state=AssignmentState.OPEN).order_by("due_at")
    Assignment.objects.filter(pk=late.pk).update(state=AssignmentState.REASSIGNED, ended_at=late.due_at + D)
    Assignment.objects.filter(pk=early.pk).update(state=AssignmentState.REASSIGNED, ended_at=early.due_at - D)
    assert on_time_by_reviewer(issuer_id=classkick.issuer_id, now=NOW)[sam.pk] == OnTime(4, 7)
    Assignment.objects.filter(pk=late.pk).update(state=AssignmentState.DECLINED)
    assert on_time_by_reviewer(issuer_id=classkick.issuer_id, now=NOW)[sam.pk] == OnTime(4, 6)


def _queries(user, client) -> list[int]:
    """The queries of the selector, the page and the API, each under the same filters."""
    query = {"from": (T0 - 5 * D).date().isoformat(), "credential": "classkick-collaboration"}
    counts = []
    with CaptureQueriesContext(connection) as captured:
        figures(user, date_from=(T0 - 5 * D).date(), credential="classkick-collaboration")
    counts.append(len(captured.captured_queries))
    for url in (reverse("issuers:dashboard", args=["classkick"]), "/api/v1/issuers/classkick/dashboard"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, query).status_code == 200
        counts.append(len(captured.captured_queries))
    return counts


@pytest.mark.scale
def test_the_query_count_is_the_same_for_10_and_1000_decided_attempts(classkick, sam, issuer_admin, client):
    def cases(n: int, start: int) -> list[Case]:
        return [
            Case(T0 + (i % 40) * D, took=(1 + i % 17) * D, earned=i % 3 != 0, band=["primary", "college"][i % 2])
            for i in range(start, start + n)
        ]

    client.force_login(issuer_admin)
    attempts_make(classkick, cases(10, 0), sam)
    assert figures(issuer_admin).turnaround.decided == 10
    small = _queries(issuer_admin, client)

    attempts_make(classkick, cases(990, 10), sam)
    assert figures(issuer_admin).turnaround.decided == 1000
    assert _queries(issuer_admin, client) == small
    assert small[0] == 11  # scope, issuer, versions, then one per figure (funnel ... reviewers)
