"""A badge's page is drawn once per state of the badge, its verification and the language, for everyone but its
earner and the issuer's admins (pages/awards/badge_page.py): the very next view after a revocation, a change of
visibility, a key rotation, an expiry or a guardian's consent shows it, and the earner's and admins' controls
never reach anyone else. A visitor who is not signed in is sent the page kept for them all without the badge being
verified again while the change log shows no write to the issuer's keys or status lists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AgeBracket, ParticipationConsent, User
from awards import keys as keyring
from awards.changes import keys_scope
from awards.models import Badge, IssuerKey, Visibility
from awards.services import badge_issue, badge_revoke, badge_visibility_set
from awards.services.keys import issuer_keys_create
from awards.verify import verify_credentials
from awards.verify_cache import verify_cache_clear
from catalog.loader import credential_load
from core import changes
from tests.awards.conftest import earn

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    verify_cache_clear()


def page_url(badge: Badge) -> str:
    return reverse("awards:detail", args=[badge.uuid])


def without_csrf(html: bytes) -> str:
    return TOKEN.sub("", html.decode())


def test_a_repeat_view_is_the_same_page_with_its_own_csrf_token(badge):
    first, again = Client().get(page_url(badge)), Client().get(page_url(badge))
    assert first.status_code == again.status_code == 200
    assert without_csrf(again.content) == without_csrf(first.content)
    assert TOKEN.findall(first.content.decode()) != TOKEN.findall(again.content.decode())


def test_revoking_shows_at_the_very_next_view(client, badge, issuer_admin):
    before = client.get(page_url(badge)).content.decode()
    assert "Verified: every check passed." in before
    assert "award-alert" not in before
    badge_revoke(admin=issuer_admin, badge=badge, reason="Issued in error, sorry.")
    after = client.get(page_url(badge)).content.decode()
    assert "<strong>Revoked</strong> by Classkick on" in after
    assert "Issued in error" not in after  # the reason is for the earner and the issuer's admins
    assert "Not verified: revocation status failed." in after
    assert "revoked: the issuer has revoked this credential" in after


def test_making_it_private_answers_404_at_the_very_next_view(client, badge, educator):
    assert client.get(page_url(badge)).status_code == 200
    badge_visibility_set(earner=educator, badge=badge, visibility=Visibility.PRIVATE)
    assert client.get(page_url(badge)).status_code == 404
    badge_visibility_set(earner=educator, badge=badge, visibility=Visibility.PUBLIC)
    assert client.get(page_url(badge)).status_code == 200


def test_rotating_the_issuer_key_shows_at_the_very_next_view(client, badge):
    assert "(active)" in client.get(page_url(badge)).content.decode()
    issuer_keys_create(issuer=badge.issuer, rotate=True)
    after = client.get(page_url(badge)).content.decode()
    assert "(retired, still published for verification)" in after
    assert "Verified: every check passed." in after


def test_passing_valid_until_shows_at_the_very_next_view(
    client, educator, classkick, parsed_definitions, monkeypatch, django_capture_on_commit_callbacks
):
    # A version of the program whose credentials expire after a year.
    definition, source = next((d, name) for d, name in parsed_definitions if d.slug == classkick.slug)
    credential_load(definition=definition.model_copy(update={"validity_days": 365}, deep=True), source_name=source)
    classkick.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        badge = badge_issue(attempt=earn(educator, classkick))
    assert badge.valid_until is not None
    assert "Verified: every check passed." in client.get(page_url(badge)).content.decode()
    later = badge.valid_until + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after = client.get(page_url(badge)).content.decode()
    assert "<strong>Expired</strong> on" in after
    assert "Not verified: validity dates failed." in after


def test_a_guardians_consent_to_sharing_shows_at_the_very_next_view(client, badge, educator):
    User.objects.filter(pk=educator.pk).update(age_bracket=AgeBracket.TEEN)
    assert "Add to LinkedIn profile" not in client.get(page_url(badge)).content.decode()
    ParticipationConsent.objects.create(
        user=educator,
        kind=ParticipationConsent.Kind.GUARDIAN,
        status=ParticipationConsent.Status.GIVEN,
        share_outside=True,
        contact_email="gwen@example.org",
        requested_at=timezone.now(),
        sent_at=timezone.now(),
        decided_at=timezone.now(),
    )
    assert "Add to LinkedIn profile" in client.get(page_url(badge)).content.decode()


def test_the_earners_and_admins_controls_never_reach_anyone_else(badge, educator, issuer_admin, make_user):
    anonymous, stranger, earner, admin = Client(), Client(), Client(), Client()
    stranger.force_login(make_user("sam@example.org", "Sam Stranger"))
    earner.force_login(educator)
    admin.force_login(issuer_admin)
    for _ in range(2):  # drawn, then from the cache, whoever comes first
        for visitor in (anonymous, earner, stranger, admin):
            html = visitor.get(page_url(badge)).content.decode()
            assert ("Save visibility" in html) is (visitor is earner)
            assert ("Revoke this credential" in html) is (visitor is admin)
            assert "Verified: every check passed." in html


def test_each_language_gets_its_own_page(client, badge):
    english = client.get(page_url(badge))
    spanish = client.get(page_url(badge), HTTP_ACCEPT_LANGUAGE="es")
    assert spanish["Content-Language"] == "es"
    assert "Accept-Language" in spanish["Vary"]
    assert "Verificación en vivo" in spanish.content.decode()
    assert "Live verification" in client.get(page_url(badge)).content.decode()
    assert without_csrf(client.get(page_url(badge), HTTP_ACCEPT_LANGUAGE="es").content) == without_csrf(spanish.content)
    assert without_csrf(client.get(page_url(badge)).content) == without_csrf(english.content)


def test_a_kept_page_is_sent_without_verifying_the_badge_again(badge):
    first = Client().get(page_url(badge))
    with CaptureQueriesContext(connection) as kept:
        again = Client().get(page_url(badge))
    assert without_csrf(again.content) == without_csrf(first.content)
    sql = [q["sql"] for q in kept.captured_queries]
    assert any(changes.TABLE in q for q in sql)
    assert not any("awards_issuerkey" in q or "awards_statuslist" in q for q in sql)


def test_a_key_replaced_by_a_bulk_update_shows_at_the_very_next_view(badge):
    """No save(), no signal, no change to the badge's own row: the change log alone tells the kept page is stale."""
    assert "Verified: every check passed." in Client().get(page_url(badge)).content.decode()
    assert "Verified: every check passed." in Client().get(page_url(badge)).content.decode()
    other, _ = keyring.new_key_material(IssuerKey.Algorithm.ED25519)
    IssuerKey.objects.filter(pk=badge.signing_key_id).update(public_key_multibase=other)
    after = Client().get(page_url(badge)).content.decode()
    assert "Verified: every check passed." not in after
    assert "Not verified" in after


def test_what_the_verification_reads_is_watched_or_read_on_every_view(badge):
    """The page reads the badge with its issuer, credential and version on every view; everything else the
    verification reads must be under the issuer's keys scope, or a change to it would not show."""
    verify_cache_clear()
    tables = set(connection.introspection.table_names())
    with CaptureQueriesContext(connection) as captured:
        verify_credentials(badge.document_text, badge.jwt)
    read = {name for query in captured.captured_queries for name in re.findall(r'"(\w+)"', query["sql"])} & tables
    watched = {w.table: w for w in changes.watches()}
    assert read - {"catalog_issuer"} == {"awards_issuerkey", "awards_statuslist"}
    for table in ("awards_issuerkey", "awards_statuslist"):
        assert any("'keys:'" in scope for scope in watched[table].scopes if isinstance(scope, str)), table
    before = changes.mark()
    IssuerKey.objects.filter(pk=badge.signing_key_id).update(is_active=True)
    assert changes.unchanged([keys_scope(badge.issuer_id)], before) is False
