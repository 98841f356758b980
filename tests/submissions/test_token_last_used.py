"""A token's last use is recorded at most once a minute: a read with a token stays a read."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import PersonalAccessToken
from api.services import token_create
from tests.submissions.api_client import ApiClient


def _updates(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_a_get_with_a_freshly_used_token_writes_nothing(educator):
    row, secret = token_create(user=educator, name="script")
    api = ApiClient(Client(), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("").status_code == 200
    first_use = PersonalAccessToken.objects.get(pk=row.pk).last_used_at
    assert first_use is not None
    with CaptureQueriesContext(connection) as queries:
        assert api.get("").status_code == 200
    assert _updates(queries) == []
    assert PersonalAccessToken.objects.get(pk=row.pk).last_used_at == first_use


def test_a_token_last_used_over_a_minute_ago_is_brought_up_to_date_by_one_conditional_update(educator):
    row, secret = token_create(user=educator, name="script")
    long_ago = timezone.now() - timedelta(minutes=5)
    PersonalAccessToken.objects.filter(pk=row.pk).update(last_used_at=long_ago)
    api = ApiClient(Client(), HTTP_AUTHORIZATION=f"Bearer {secret}")
    with CaptureQueriesContext(connection) as queries:
        assert api.get("").status_code == 200
    (update,) = _updates(queries)
    # The condition is in the statement, so requests racing on a stale value write the row once between them.
    assert '"last_used_at" <' in update
    last_used = PersonalAccessToken.objects.get(pk=row.pk).last_used_at
    assert last_used is not None
    assert last_used > long_ago
