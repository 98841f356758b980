"""An example's life: offered with consent (the form says what is missing), previewed and published or declined by
the issuer (the earner told), and gone on the next request once withdrawn, revoked, closed with its account, or
when a participant under 18 has no guardian's consent to sharing; the credential page's placeholder note goes
once an example is published."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AgeBracket, User
from awards.services import badge_revoke
from core.errors import InvalidState
from core.models import AuditEvent
from gallery.consent import CONSENT_VERSION
from gallery.models import Curation, GalleryEntry
from gallery.services import gallery_entry_curate, gallery_entry_offer, gallery_entry_withdraw
from submissions.models import Evidence
from tests.conftest import PASSWORD
from workflow.erasure import account_deletion_request, accounts_erase_due

CK = "classkick-collaboration"
PLACEHOLDER = "Classkick has not published certified educator examples for this challenge here yet."


def entry_url(entry: GalleryEntry) -> str:
    return reverse("gallery:entry", args=[CK, entry.pk])


def test_the_earner_offers_only_with_consent_and_sees_what_would_be_shown(client, dana, badge):
    client.force_login(dana)
    url = reverse("gallery:offer", args=[badge.uuid])
    page = client.get(url).content.decode()
    assert "You can withdraw at any time" in page
    assert "[name removed]" in page

    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "Tick the box to agree to the statement" in refused.content.decode()
    assert not GalleryEntry.objects.exists()

    assert client.post(url, {"consent": "on"}).status_code == 302
    entry = GalleryEntry.objects.get()
    assert (entry.state, entry.consent_version, entry.withdrawn_at) == (Curation.PENDING, CONSENT_VERSION, None)
    assert AuditEvent.objects.filter(action="gallery.offered", actor=dana).exists()
    badge_page = client.get(reverse("awards:detail", args=[badge.uuid])).content.decode()
    assert "has not decided yet whether to publish it" in badge_page
    assert "Withdraw my example" in badge_page


def test_the_issuer_previews_then_publishes_and_the_earner_is_told(
    client, issuer_admin, offered, dana, django_capture_on_commit_callbacks
):
    client.force_login(issuer_admin)
    url = reverse("issuers:example", args=["classkick", offered.pk])
    preview = client.get(url).content.decode()
    assert "exactly what the public page would show" in preview
    assert "[name removed]" in preview
    assert "Whitfield" not in preview

    refused = client.post(url, {"note": "x"})
    assert refused.status_code == 400
    assert "Choose whether to publish or decline" in refused.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"decision": "publish", "note": "A model of co-planning."}).status_code == 302
    offered.refresh_from_db()
    assert (offered.state, offered.decided_by, offered.curator_note) == (
        Curation.PUBLISHED,
        issuer_admin,
        "A model of co-planning.",
    )
    assert client.get(entry_url(offered)).status_code == 200
    (email,) = [m for m in mail.outbox if m.to == [dana.email] and "certified example" in m.subject]
    assert entry_url(offered) in email.body
    assert "A model of co-planning." in email.body


def test_a_withdrawn_example_is_gone_at_once_and_cannot_be_published(client, published, dana, issuer_admin):
    html = client.get(entry_url(published)).content.decode()
    (file_url,) = re.findall(r'href="(/examples/[^"]+/files/\d+/)"', html)

    client.force_login(dana)
    assert client.post(reverse("gallery:withdraw", args=[published.badge.uuid])).status_code == 302
    client.logout()
    assert client.get(entry_url(published)).status_code == 404
    assert client.get(file_url).status_code == 404
    assert entry_url(published) not in client.get(reverse("gallery:list", args=[CK])).content.decode()
    with pytest.raises(InvalidState):
        gallery_entry_curate(admin=issuer_admin, entry=published, publish=True)
    # Offered again, it waits for the issuer afresh.
    again = gallery_entry_offer(earner=dana, badge=published.badge, consent=True)
    assert (again.pk, again.state, again.withdrawn_at) == (published.pk, Curation.PENDING, None)
    assert client.get(entry_url(published)).status_code == 404


def test_revocation_takes_it_down(client, published, issuer_admin):
    badge_revoke(admin=issuer_admin, badge=published.badge, reason="Not the educator's own work.")
    assert client.get(entry_url(published)).status_code == 404


def test_deleting_the_account_takes_it_down_at_the_request_and_erasure_still_runs(client, published, dana):
    deletion = account_deletion_request(user=dana, password=PASSWORD)
    assert client.get(entry_url(published)).status_code == 404
    assert accounts_erase_due(now=deletion.erase_after + timedelta(seconds=1)) == [dana.pk]
    assert client.get(entry_url(published)).status_code == 404
    published.refresh_from_db()
    assert published.badge.revoked_at is not None


def test_a_participant_under_18_needs_their_guardians_consent_to_sharing(client, published, dana):
    User.objects.filter(pk=dana.pk).update(age_bracket=AgeBracket.TEEN)
    assert client.get(entry_url(published)).status_code == 404
    dana.refresh_from_db()
    gallery_entry_withdraw(earner=dana, entry=published)
    with pytest.raises(InvalidState, match="under 18"):
        gallery_entry_offer(earner=dana, badge=published.badge, consent=True)


def test_a_file_the_educator_said_holds_student_data_is_left_out(client, published):
    html = client.get(entry_url(published)).content.decode()
    (shown,) = re.findall(r"/files/(\d+)/", html)
    Evidence.objects.filter(pk=int(shown)).update(student_data=None)  # as a file older than the question
    html = client.get(entry_url(published)).content.decode()
    assert "/files/" not in html
    assert "3 files are not shown" in html


def test_the_credential_page_links_the_gallery_and_drops_the_placeholder_once_published(client, offered, issuer_admin):
    detail = reverse("catalog:detail", args=[CK])
    page = client.get(detail).content.decode()
    assert PLACEHOLDER in page
    assert reverse("gallery:list", args=[CK]) in page

    gallery_entry_curate(admin=issuer_admin, entry=offered, publish=True)
    page = client.get(detail).content.decode()
    assert PLACEHOLDER not in page
    assert reverse("gallery:list", args=[CK]) in page
    assert "Classkick Certified Educator Examples" in page

    gallery_entry_curate(admin=issuer_admin, entry=offered, publish=False, note="Taken down for now.")
    assert PLACEHOLDER in client.get(detail).content.decode()
