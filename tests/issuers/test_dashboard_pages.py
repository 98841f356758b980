"""The dashboard page (/issuers/<slug>/dashboard/), its CSV downloads and its API twin
(/api/v1/issuers/<slug>/dashboard): who may read them, by persona; the filters and what a bad one answers; the
charts with their tables; the empty state."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import tablib  # type: ignore[import-untyped]
from django.urls import reverse
from lxml import html as lxml_html

from accounts.models import ReviewerRole
from tests.conftest import reviewer_role_give
from tests.issuers.dashboard_factory import Case, attempts_make
from tests.issuers.test_dashboard import T0, D

CK = "classkick"


def page(slug: str = CK) -> str:
    return reverse("issuers:dashboard", args=[slug])


def csv(chart: str, slug: str = CK) -> str:
    return reverse("issuers:dashboard_csv", args=[slug, chart])


def api(slug: str = CK) -> str:
    return f"/api/v1/issuers/{slug}/dashboard"


@pytest.fixture
def decided(classkick, make_user):
    rita = make_user("rita@classkick.example", "Rita Reviewer")
    reviewer_role_give(rita, classkick.issuer, ReviewerRole.Kind.ISSUER_STAFF)
    cases = [
        Case(T0, took=2 * D, earned=True, band="primary"),
        Case(T0 + D, took=4 * D, band="primary"),
        Case(T0 + 3 * D, took=6 * D, earned=True, number=2),
        Case(T0 + 2 * D, took=20 * D, earned=True, band="college"),
    ]
    attempts_make(classkick, cases, rita)
    return cases


@pytest.mark.parametrize("persona", ["other_issuer_admin", "reviewer_staff", "educator"])
def test_anyone_but_the_issuers_admins_gets_404_from_the_page_the_csv_and_the_api(client, request, persona, decided):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(page()).status_code == 404
    assert client.get(csv("funnel")).status_code == 404
    response = client.get(api())
    assert response.status_code == 404
    assert "detail" in response.json()
    if persona != "other_issuer_admin":
        assert client.get(reverse("issuers:dashboard_home")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_answers_401(client, decided):
    for url in (page(), csv("funnel"), reverse("issuers:dashboard_home")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert client.get(api()).status_code == 401


@pytest.mark.parametrize("persona", ["issuer_admin", "platform_admin"])
def test_the_issuers_admins_and_platform_admins_read_it(client, request, persona, decided):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(page())
    assert response.status_code == 200
    assert client.get(api()).json()["turnaround"]["decided"] == 4


def test_an_admin_of_one_issuer_goes_straight_to_its_dashboard(client, issuer_admin, decided):
    client.force_login(issuer_admin)
    response = client.get(reverse("issuers:dashboard_home"))
    assert response.status_code == 302
    assert response.url == page()


def test_each_chart_is_a_named_svg_with_its_table_and_csv(client, issuer_admin, decided):
    client.force_login(issuer_admin)
    tree = lxml_html.fromstring(client.get(page()).content)

    charts = tree.xpath("//svg[@role='img']")
    ids = [svg.get("id") for svg in charts]
    assert ids == ["funnel-chart", "turnaround-chart", "criteria-chart", "bands-chart", "resubmissions-chart"]
    for svg in charts:
        title, desc = svg.find("title"), svg.find("desc")
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert svg.get("viewbox")
        assert svg.get("width") == "100%"
        assert "nan" not in lxml_html.tostring(svg).decode().lower()
        section = svg.getparent().getparent()
        assert section.xpath(".//details//table//th[@scope='col']")
        assert section.xpath(".//details//table//th[@scope='row']")
        assert section.xpath(".//a[@download]/@href")[0].startswith(
            reverse("issuers:dashboard_csv", args=[CK, "x"])[:-5]
        )
    desc = tree.xpath("//svg[@id='turnaround-chart']/desc")[0].text
    # Days 2, 4, 6, 20: median 5, 90th percentile 20 - 0.3 * 14 = 15.8, 3 of 4 within 14 days.
    assert "median 5.0 days, 90th percentile 15.8 days; 75% decided within the deadline of 14 days" in desc
    assert tree.xpath("//svg[@id='turnaround-chart']//text[contains(., 'Deadline: 14 days')]")
    facts = " ".join(tree.xpath("//dl[@class='facts']//text()"))
    assert "5.0 days" in facts
    assert "15.8 days" in facts
    assert "3 of 4" in facts


def test_the_csv_holds_the_charts_figures(client, issuer_admin, decided):
    client.force_login(issuer_admin)
    response = client.get(csv("bands"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "classkick-bands.csv" in response["Content-Disposition"]
    data = tablib.Dataset().load(io.StringIO(response.content.decode()), format="csv")
    assert data.headers == ["Grade band", "Decided attempts", "Earned", "Pass rate"]
    # Primary: the first attempt earned, the second not, its resubmission (middle school) earned.
    assert [list(row) for row in data] == [
        ["Primary", "2", "1", "0.5"],
        ["Middle school", "1", "1", "1.0"],
        ["College", "1", "1", "1.0"],
    ]
    funnel = tablib.Dataset().load(client.get(csv("funnel")).content.decode(), format="csv")
    assert [row[1] for row in funnel] == ["3", "3", "3", "3", "0"]
    assert client.get(csv("no-such-chart")).status_code == 404


def test_the_filters_narrow_the_page_the_csv_and_the_api_alike(client, issuer_admin, decided):
    client.force_login(issuer_admin)
    window = {"from": T0.date().isoformat(), "to": (T0 + D).date().isoformat()}
    tree = lxml_html.fromstring(client.get(page(), window).content)
    assert "2 decided attempts" in tree.xpath("//svg[@id='turnaround-chart']/desc")[0].text
    assert tree.xpath("//input[@name='from']/@value") == [window["from"]]
    data = tablib.Dataset().load(client.get(csv("turnaround"), window).content.decode(), format="csv")
    assert sum(int(row[1]) for row in data) == 2
    body = client.get(api(), window).json()
    assert body["turnaround"]["decided"] == 2
    assert body["filters"] == {"from": window["from"], "to": window["to"], "credential": None, "version": None}


@pytest.mark.parametrize(
    ("query", "label", "message"),
    [
        ({"from": "2026-13-40"}, "From", "Enter a date as YYYY-MM-DD"),
        ({"credential": "educators-rising-collaboration"}, "Credential", "Choose one of Classkick's credentials"),
        ({"credential": "../../etc"}, "Credential", "Choose a credential from the list"),
        ({"version": "1"}, "Version", "Choose a credential first"),
        ({"credential": "classkick-collaboration", "version": "7"}, "Version", "versions (1)"),
        ({"version": "x" * 300}, "Version", "whole number"),
        ({"from": "2026-01-05", "to": "2026-01-01"}, "To", "on or after"),
    ],
)
def test_a_bad_filter_is_named_in_the_error_summary_and_the_rest_still_show(
    client, issuer_admin, decided, query, label, message
):
    client.force_login(issuer_admin)
    response = client.get(page(), query)
    assert response.status_code == 400
    tree = lxml_html.fromstring(response.content)
    summary = " ".join(tree.xpath("//div[@class='error-summary']//li//text()"))
    assert f"{label}: " in summary
    assert message in summary
    assert tree.xpath("//svg[@id='funnel-chart']")  # the figures, without the filter
    assert client.get(csv("funnel"), query).status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13-40"}, "from"),
        ({"credential": "educators-rising-collaboration"}, "credential"),
        ({"version": "1"}, "version"),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "to"),
    ],
)
def test_the_api_refuses_a_bad_filter_naming_it(client, issuer_admin, decided, query, field):
    client.force_login(issuer_admin)
    response = client.get(api(), query)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_the_api_answers_the_same_figures_as_the_selector(client, issuer_admin, decided):
    client.force_login(issuer_admin)
    body = client.get(api()).json()
    assert body["funnel"] == {"started": 3, "submitted": 3, "decided": 3, "earned": 3, "not_yet_earned": 0}
    assert body["turnaround"]["median_days"] == pytest.approx(5.0)
    assert body["turnaround"]["p90_days"] == pytest.approx(15.8)
    assert body["turnaround"]["share_within_deadline"] == pytest.approx(0.75)
    assert body["resubmissions"] == {
        "attempts": 1,
        "decided": 1,
        "earned": 1,
        "not_yet_earned": 0,
        "waiting": 0,
        "rate": 1.0,
    }
    implementation = next(c for c in body["criteria"] if c["criterion"] == "implementation")
    assert (implementation["passing"], implementation["scores"], implementation["rate"]) == (3, 4, 0.75)
    assert body["reviewers"][0]["on_time_rate"] == 1.0


def test_with_nothing_decided_the_page_says_so_instead_of_empty_charts(client, issuer_admin, classkick):
    client.force_login(issuer_admin)
    response = client.get(page())
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    assert not tree.xpath("//svg")
    assert "No decided attempts yet" in response.content.decode()
    body = client.get(api()).json()
    assert body["turnaround"]["median_days"] is None
    assert body["turnaround"]["bins"] == []


def test_the_reviewers_page_links_to_the_dashboard_through_the_issuers_list(client, platform_admin, classkick):
    client.force_login(platform_admin)
    content = client.get(reverse("issuers:reviewers_home")).content.decode()
    assert reverse("issuers:dashboard_home") in content
    assert page() in client.get(reverse("issuers:dashboard_home")).content.decode()


def test_the_open_review_of_an_attempt_counts_as_load(client, issuer_admin, classkick, make_user):
    sid = make_user("sid@classkick.example", "Sid Staff")
    reviewer_role_give(sid, classkick.issuer, ReviewerRole.Kind.ISSUER_STAFF)
    attempts_make(classkick, [Case(T0 + timedelta(days=400))], sid)
    client.force_login(issuer_admin)
    tree = lxml_html.fromstring(client.get(page()).content)
    row = tree.xpath("//table[caption='Reviewers']//tr[th='Sid Staff']/td/text()")
    assert row[:2] == ["1", "0"]
