"""An issuer's exports, by persona and by content: submissions, scores, decisions, awards and credit applications
as CSV and XLSX, filtered, with formula-looking text neutralised, in a flat number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
import tablib  # type: ignore[import-untyped]
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards.models import Badge
from reviews.models import Score
from tests.issuers.export_data import decided_attempts
from workflow.exports import EXPORTS

SLUG = "classkick"


def as_user(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def url(name: str, fmt: str = "csv", **query: str) -> str:
    path = reverse(f"issuers:export_{fmt}", args=[SLUG, name])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def decided(classkick, reviewer_staff) -> list:
    return decided_attempts(3, classkick, reviewer_staff)


@pytest.mark.parametrize("who", ["issuer_admin", "platform_admin"])
def test_the_issuers_admins_see_the_exports_page_with_a_link_per_export_and_format(who, request, classkick):
    response = as_user(request.getfixturevalue(who)).get(reverse("issuers:exports", args=[SLUG]))
    assert response.status_code == 200
    html = response.content.decode()
    for name in EXPORTS:
        for fmt in ("csv", "xlsx"):
            assert f'href="{url(name, fmt)}"' in html


@pytest.mark.parametrize("who", ["other_issuer_admin", "reviewer_staff", "educator"])
def test_anyone_else_gets_404_for_the_page_and_every_download(who, request, decided):
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("issuers:exports", args=[SLUG])).status_code == 404
    for name in EXPORTS:
        assert client.get(url(name)).status_code == 404
        assert client.get(url(name, "xlsx")).status_code == 404


def test_anonymous_is_sent_to_sign_in(classkick):
    for path in (reverse("issuers:exports", args=[SLUG]), url("submissions")):
        response = Client().get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_an_export_that_does_not_exist_is_404(issuer_admin, classkick):
    assert as_user(issuer_admin).get(url("passwords")).status_code == 404


def test_the_submissions_export_lists_each_attempt_with_its_candidate_status_and_decision(
    issuer_admin, decided, educators_rising, reviewer_staff
):
    rows = csv_rows(as_user(issuer_admin).get(url("submissions")))
    assert rows[0] == list(EXPORTS["submissions"].headers)
    assert len(rows) == 4
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["attempt_id"] == str(decided[0].pk)
    assert first["candidate"] == f"C-{decided[0].submission_id}"
    assert first["educator_name"] == "Earner 0"
    assert first["credential"] == "classkick-collaboration"
    assert (first["status"], first["decision"]) == ("Earned", "Earned")


def test_the_scores_export_has_a_row_per_review_and_criterion_naming_the_reviewer(issuer_admin, decided, classkick):
    rows = csv_rows(as_user(issuer_admin).get(url("scores")))
    criteria = len(classkick.current_version.spec.rubric.criteria)
    assert len(rows) == 1 + 3 * criteria
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["reviewer_name"] == "Sam Staff" or record["reviewer_email"] == "sam@classkick.example"
    assert record["level"] == classkick.current_version.spec.rubric.passing_level


def test_the_awards_export_tells_issued_from_revoked_and_credit_applications_follow_the_badges(issuer_admin, decided):
    badge = Badge.objects.get(attempt=decided[1])
    Badge.objects.filter(pk=badge.pk).update(revoked_at=timezone.now(), revocation_reason="issued in error")
    client = as_user(issuer_admin)
    awards = csv_rows(client.get(url("awards")))
    status = {r[0]: r[awards[0].index("status")] for r in awards[1:]}
    assert status[str(badge.uuid)] == "Revoked"
    assert sorted(status.values()) == ["Issued", "Issued", "Revoked"]
    credit = csv_rows(client.get(url("credit-applications")))
    assert {r[1] for r in credit[1:]} == set(status)
    assert {r[credit[0].index("partner")] for r in credit[1:]} == {"Export State University"}
    decisions = csv_rows(client.get(url("decisions")))
    assert [r[decisions[0].index("outcome")] for r in decisions[1:]] == ["Earned"] * 3


def test_another_issuers_rows_never_appear(issuer_admin, decided, educators_rising, reviewer_staff):
    decided_attempts(2, educators_rising, reviewer_staff, educator_name="Other")
    rows = csv_rows(as_user(issuer_admin).get(url("submissions")))
    assert len(rows) == 4
    assert not any(r[2].startswith("Other") for r in rows[1:])


def test_the_date_range_credential_and_version_filter_the_rows(issuer_admin, classkick, reviewer_staff):
    old = timezone.now() - timedelta(days=40)
    decided_attempts(2, classkick, reviewer_staff, at=old)
    decided_attempts(3, classkick, reviewer_staff)
    client = as_user(issuer_admin)
    recent = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert len(csv_rows(client.get(url("submissions", date_from=recent)))) == 1 + 3
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert len(csv_rows(client.get(url("decisions", date_to=until)))) == 1 + 2
    assert len(csv_rows(client.get(url("awards", credential="classkick-collaboration")))) == 1 + 5
    version = classkick.current_version.number
    assert len(csv_rows(client.get(url("submissions", version=str(version))))) == 1 + 5
    assert len(csv_rows(client.get(url("submissions", version=str(version + 1))))) == 1


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"credential": "educators-rising-collaboration"}, "credential", "Choose one of this issuer"),
        ({"date_from": "2026-02-30"}, "date_from", "Enter a date as YYYY-MM-DD"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to", "must be on or after the start date"),
        ({"version": "0"}, "version", "version number of 1 or more"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(issuer_admin, classkick, query, field, message):
    for path in (reverse("issuers:exports", args=[SLUG]), url("submissions", **query)):
        if path.endswith("/exports/"):
            path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        response = as_user(issuer_admin).get(path)
        assert response.status_code == 422
        html = response.content.decode()
        assert f'href="#id_{field}"' in html
        assert message in html


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)"]


@pytest.mark.parametrize("count", [3, 600])  # a small export (tablib) and a streamed one
def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised_in_csv_and_xlsx(
    issuer_admin, classkick, reviewer_staff, count
):
    decided_attempts(count, classkick, reviewer_staff, reasoning=FORMULAS[0], educator_name="@Evil")
    first_three = list(Score.objects.order_by("pk").values_list("pk", flat=True)[:3])
    for pk, formula in zip(first_three, FORMULAS[1:], strict=True):
        Score.objects.filter(pk=pk).update(suggestion=formula)
    client = as_user(issuer_admin)
    rows = csv_rows(client.get(url("scores")))
    headers = rows[0]
    cells = [dict(zip(headers, r, strict=True)) for r in rows[1:]]
    assert {c["reasoning"] for c in cells} == {"'" + FORMULAS[0]}
    assert {"'" + f for f in FORMULAS[1:]} <= {c["suggestion"] for c in cells}
    names = csv_rows(client.get(url("submissions")))
    assert {r[2] for r in names[1:]} == {f"'@Evil {i}" for i in range(count)}

    response = client.get(url("scores", "xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(body(response)))
    sheet = book.active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # tablib, another reader, opens the same file to the same headers.
    dataset = tablib.Dataset().load(body(client.get(url("scores", "xlsx"))), format="xlsx")
    assert tuple(dataset.headers) == EXPORTS["scores"].headers
    assert len(dataset) == len(cells)


def _export_queries(client: Client, name: str, fmt: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(name, fmt))
        content = body(response)
    assert response.status_code == 200
    return len(captured.captured_queries), len(content)


@pytest.mark.scale
def test_every_export_takes_the_same_number_of_queries_for_10_and_1000_decided_attempts(
    issuer_admin, classkick, reviewer_staff
):
    decided_attempts(10, classkick, reviewer_staff)
    client = as_user(issuer_admin)
    client.get(reverse("issuers:exports", args=[SLUG]))  # a warm session
    small = {(name, fmt): _export_queries(client, name, fmt) for name in EXPORTS for fmt in ("csv", "xlsx")}
    decided_attempts(990, classkick, reviewer_staff)
    large = {(name, fmt): _export_queries(client, name, fmt) for name in EXPORTS for fmt in ("csv", "xlsx")}
    assert {k: v[0] for k, v in large.items()} == {k: v[0] for k, v in small.items()}
    assert all(large[k][1] > small[k][1] for k in small)  # the rows really grew
    assert large[("submissions", "csv")][1] > 50 * 1000  # a line per attempt
