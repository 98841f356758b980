"""The exports in the API (/api/v1/issuers/<slug>/exports/<name>): the same files and permissions as the page."""

from __future__ import annotations

import csv
import io

import pytest

from tests.issuers.export_data import decided_attempts
from tests.submissions.api_client import as_session, as_token

API = "/api/v1/issuers/classkick/exports"


@pytest.fixture
def decided(classkick, reviewer_staff):
    return decided_attempts(3, classkick, reviewer_staff)


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_an_admin_lists_the_exports_and_downloads_each_as_csv_and_xlsx(decided, issuer_admin):
    client = as_token(issuer_admin)
    listing = client.get(API)
    assert listing.status_code == 200
    names = [e["name"] for e in listing.json()]
    assert names == ["submissions", "scores", "decisions", "awards", "credit-applications"]
    for name in names:
        response = client.get(f"{API}/{name}")
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="classkick-{name}.csv"'
        assert len(list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))) > 1
        xlsx = client.get(f"{API}/{name}?format=xlsx")
        assert xlsx.status_code == 200
        assert _content(xlsx).startswith(b"PK")


def test_the_filters_apply(decided, issuer_admin):
    response = as_session(issuer_admin).get(f"{API}/submissions?credential=classkick-collaboration&version=99")
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("version=0", "version"),
        ("date_from=yesterday", "date_from"),
        ("format=pdf", "format"),
        ("credential=educators-rising-collaboration", "credential"),
        ("date_from=2026-05-02&date_to=2026-05-01", "date_to"),
    ],
)
def test_bad_filters_are_a_422_naming_the_field(decided, issuer_admin, query, field):
    response = as_session(issuer_admin).get(f"{API}/submissions?{query}")
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_an_unknown_export_is_a_422_naming_it(issuer_admin, classkick):
    response = as_session(issuer_admin).get(f"{API}/passwords")
    assert response.status_code == 422
    assert "name" in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("who", ["other_issuer_admin", "reviewer_staff", "educator"])
def test_anyone_else_gets_404(decided, who, request):
    client = as_session(request.getfixturevalue(who))
    assert client.get(API).status_code == 404
    assert client.get(f"{API}/submissions").status_code == 404


def test_a_platform_admin_may_download(decided, platform_admin):
    assert as_session(platform_admin).get(f"{API}/awards").status_code == 200


def test_anonymous_gets_401(classkick):
    assert as_session(None).get(f"{API}/submissions").status_code == 401
    assert as_session(None).get(API).status_code == 401
