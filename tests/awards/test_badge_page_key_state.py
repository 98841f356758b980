"""A badge's page verifies its JSON and its VC-JWT against one reading of the issuer's keys and status list
(awards.verify.verify_credentials): a signed-in visitor's repeat view is the badge and that one reading; one not
signed in, the badge and the change log's word that nothing of the keys and lists was written since; and every change
to them still shows at the very next view."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.models import Badge
from awards.services import badge_revoke
from awards.services.keys import issuer_keys_create
from awards.verify import verify_credential, verify_credentials
from awards.verify_cache import verify_cache_clear
from core import changes


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    verify_cache_clear()


def page_url(badge: Badge) -> str:
    return reverse("awards:detail", args=[badge.uuid])


def test_a_repeat_view_reads_the_badge_and_the_key_state_once(badge, make_user):
    visitor = Client()
    visitor.force_login(make_user("sam@example.org", "Sam Stranger"))
    assert visitor.get(page_url(badge)).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        html = visitor.get(page_url(badge)).content.decode()
    assert "Verified: every check passed." in html
    # The badge, whether the visitor administers its issuer, then the issuer's keys with the status list, once for
    # both forms (the rest from the caches), and no word of the change log: their page is verified every time.
    page = [q["sql"] for q in captured.captured_queries if "django_session" not in q["sql"]]
    assert sum('FROM "awards_badge"' in sql for sql in page) == 1
    assert sum("awards_issuerkey" in sql for sql in page) == 1
    assert not any(changes.TABLE in sql for sql in page)


def test_a_repeat_view_not_signed_in_reads_the_badge_and_the_change_log(badge, django_assert_num_queries):
    assert Client().get(page_url(badge)).status_code == 200
    with django_assert_num_queries(2) as captured:
        html = Client().get(page_url(badge)).content.decode()
    assert "Verified: every check passed." in html
    assert sum(changes.TABLE in query["sql"] for query in captured.captured_queries) == 1


def test_both_forms_get_the_reports_each_would_get_alone(badge, django_assert_num_queries):
    alone = [verify_credential(badge.document_text), verify_credential(badge.jwt)]
    with django_assert_num_queries(1):
        together = verify_credentials(badge.document_text, badge.jwt)
    assert [report.as_dict() for report in together] == [report.as_dict() for report in alone]
    assert [report.form for report in together] == ["json", "jwt"]
    verify_cache_clear()
    # Drawn afresh (not from the cache), the same again.
    assert [report.as_dict() for report in verify_credentials(badge.document_text, badge.jwt)] == [
        report.as_dict() for report in alone
    ]


def test_each_call_reads_the_state_afresh(badge, issuer_admin, django_assert_num_queries):
    verify_credentials(badge.document_text, badge.jwt)
    for _ in range(2):
        with django_assert_num_queries(1):
            verify_credentials(badge.document_text, badge.jwt)
    badge_revoke(admin=issuer_admin, badge=badge, reason="Issued in error, sorry.")
    for report in verify_credentials(badge.document_text, badge.jwt):
        assert not report.valid
        assert report.check("status").detail == "revoked: the issuer has revoked this credential"


def test_a_rotation_between_two_views_shows_at_once(client, badge):
    before = client.get(page_url(badge)).content.decode()
    assert "(active)" in before
    issuer_keys_create(issuer=badge.issuer, rotate=True)
    after = client.get(page_url(badge)).content.decode()
    assert "(active)" not in after
    assert "(retired, still published for verification)" in after
    assert "The JWT form of this credential: verified as well." in after  # a retired key still verifies


def test_a_revocation_between_two_views_fails_both_forms(client, badge, issuer_admin):
    assert "The JWT form of this credential: verified as well." in client.get(page_url(badge)).content.decode()
    badge_revoke(admin=issuer_admin, badge=badge, reason="Issued in error, sorry.")
    after = client.get(page_url(badge)).content.decode()
    assert "revoked: the issuer has revoked this credential" in after
    assert "The JWT form of this credential: not verified." in after
