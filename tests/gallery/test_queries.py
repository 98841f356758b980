"""The gallery's list pages read a page at a time in the same number of queries with 3 examples or 30."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards.models import Badge
from bench.bench_awards import earned_attempts
from gallery.models import Curation, GalleryEntry


def _entries(like: Badge, n: int, state: str, start: int) -> None:
    """N more earners' badges, each offered (and in `state`), copied from a real badge: only the rows matter."""
    attempts = earned_attempts(n, like.credential)
    badges = Badge.objects.bulk_create(
        [
            Badge(
                attempt=a,
                earner=a.submitted_by,
                credential=like.credential,
                version=like.version,
                issuer=like.issuer,
                title=like.title,
                issued_at=like.issued_at,
                status_list=like.status_list,
                status_index=like.status_index + start + i + 1,
                signing_key=like.signing_key,
                jwt_key=like.jwt_key,
                jwt=like.jwt,
                document_text=like.document_text,
            )
            for i, a in enumerate(attempts)
        ]
    )
    now = timezone.now()
    GalleryEntry.objects.bulk_create(
        [
            GalleryEntry(
                badge=b,
                credential=like.credential,
                issuer=like.issuer,
                consent_version="2026-11",
                state=state,
                decided_at=now if state != Curation.PENDING else None,
            )
            for b in badges
        ]
    )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("state", [Curation.PUBLISHED, Curation.PENDING])
def test_the_lists_keep_a_flat_query_count(client, badge, issuer_admin, state):
    if state == Curation.PENDING:
        client.force_login(issuer_admin)
        url = reverse("issuers:examples", args=["classkick"])
    else:
        url = reverse("gallery:list", args=["classkick-collaboration"])
    _entries(badge, 3, state, 0)
    few = _queries(client, url)
    _entries(badge, 27, state, 100)
    many = _queries(client, url)
    page = client.get(url).content.decode()

    assert few == many
    assert "Next page" in page
    assert client.get(url + "?page=2").status_code == 200
