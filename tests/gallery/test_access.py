"""Who may do what with the gallery, persona by persona, for every page: the earner alone offers and withdraws
(another educator cannot consent for Dana's badge), the issuer's admins (and platform admins) alone curate (another
issuer's admins get 404 as if nothing were there), and the public sees an example only once it is published."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from gallery.models import Curation, GalleryEntry

CK = "classkick-collaboration"
PERSONAS = [
    "anonymous",
    "dana",
    "educator",
    "reviewer_staff",
    "issuer_admin",
    "other_issuer_admin",
    "platform_admin",
]
CURATORS = {"issuer_admin", "platform_admin"}


def _as(request, persona: str) -> Client:
    """A fresh client signed in as the persona: one badge is built per test, and every persona is tried on it."""
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def _urls(entry: GalleryEntry) -> dict[str, str]:
    badge = entry.badge
    return {
        "offer": reverse("gallery:offer", args=[badge.uuid]),
        "withdraw": reverse("gallery:withdraw", args=[badge.uuid]),
        "curation": reverse("issuers:examples", args=["classkick"]),
        "curate": reverse("issuers:example", args=["classkick", entry.pk]),
        "list": reverse("gallery:list", args=[CK]),
        "entry": reverse("gallery:entry", args=[CK, entry.pk]),
    }


def test_while_an_offer_waits_each_persona_sees_only_what_is_theirs(request, offered):
    for persona in PERSONAS:
        _pending_as(request, persona, offered)


def _pending_as(request, persona: str, offered: GalleryEntry) -> None:
    client = _as(request, persona)
    urls = _urls(offered)
    signed_out = 302 if persona == "anonymous" else 404

    assert client.get(urls["offer"]).status_code == (200 if persona == "dana" else signed_out)
    assert client.get(urls["curation"]).status_code == (200 if persona in CURATORS else signed_out)
    assert client.get(urls["curate"]).status_code == (200 if persona in CURATORS else signed_out)
    # Nobody, not even the earner or the issuer, sees a public page before it is published.
    assert client.get(urls["list"]).status_code == 200
    assert client.get(urls["entry"]).status_code == 404
    assert f"/examples/{CK}/{offered.pk}/" not in client.get(urls["list"]).content.decode()


def test_anyone_but_the_issuers_admins_cannot_curate(request, offered):
    for persona in [p for p in PERSONAS if p not in CURATORS]:
        response = _as(request, persona).post(_urls(offered)["curate"], {"decision": "publish"})
        assert response.status_code == (302 if persona == "anonymous" else 404), persona
    offered.refresh_from_db()
    assert offered.state == Curation.PENDING
    assert not AuditEvent.objects.filter(action="gallery.published").exists()


def test_nobody_but_the_earner_can_offer_or_withdraw_their_badge(request, badge):
    offer = reverse("gallery:offer", args=[badge.uuid])
    withdraw = reverse("gallery:withdraw", args=[badge.uuid])
    others = [p for p in PERSONAS if p != "dana"]
    for persona in others:
        expected = 302 if persona == "anonymous" else 404
        assert _as(request, persona).post(offer, {"consent": "on"}).status_code == expected, persona
    assert not GalleryEntry.objects.exists()

    GalleryEntry.objects.create(badge=badge, credential=badge.credential, issuer=badge.issuer, consent_version="x")
    for persona in others:
        expected = 302 if persona == "anonymous" else 404
        assert _as(request, persona).post(withdraw).status_code == expected, persona
    assert GalleryEntry.objects.get().withdrawn_at is None


def test_once_published_everyone_sees_it(request, published):
    urls = _urls(published)
    for persona in PERSONAS:
        client = _as(request, persona)
        assert client.get(urls["entry"]).status_code == 200, persona
        assert urls["entry"] in client.get(urls["list"]).content.decode(), persona
