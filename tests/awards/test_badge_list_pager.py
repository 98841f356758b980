"""The public list pages without counting every public badge: one query a page, "Page N" with Previous and Next,
and a page past the end says so instead of failing."""

from __future__ import annotations

import pytest

from awards.services import badge_issue, badge_visibility_set
from pages.awards import views
from tests.awards.conftest import earn

pytestmark = pytest.mark.django_db


def test_the_pager_knows_a_next_page_without_a_count(
    client, badge, educator, educator2, classkick, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(views, "PUBLIC_PAGE_SIZE", 1)
    badge_visibility_set(earner=educator, badge=badge, visibility="public")
    more = badge_issue(attempt=earn(educator2, classkick))
    badge_visibility_set(earner=educator2, badge=more, visibility="public")

    with django_assert_num_queries(1) as captured:
        first = client.get("/awards/").content.decode()
    assert "COUNT(" not in captured.captured_queries[0]["sql"].upper()
    assert first.count('<li class="card">') == 1
    assert 'href="?page=2">Next page' in first
    assert "Page 1" in first
    assert " of " not in first.split('aria-label="Pages of credentials"')[1]
    assert "Previous page" not in first

    second = client.get("/awards/", {"page": "2"}).content.decode()
    assert second.count('<li class="card">') == 1
    assert 'href="?page=1">Previous page' in second
    assert "Next page" not in second

    past = client.get("/awards/", {"page": "3"})
    assert past.status_code == 200
    assert "There are no more credentials" in past.content.decode()
    for bad in ("x", "0", "-1", "99999999999"):
        assert client.get("/awards/", {"page": bad}).content.decode().count('<li class="card">') == 1, bad
