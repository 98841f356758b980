"""Baked badges (bake, extract, verify) and the Open Badges 2.0 hosted documents."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from awards.baking import BakingError, bake_png, bake_svg, extract_png, extract_svg
from awards.images import default_png, default_svg
from awards.services import badge_revoke, badge_visibility_set
from awards.verify import verify_credential


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_a_baked_png_from_the_page_round_trips_and_verifies(client, badge, form):
    response = client.get(f"/awards/{badge.uuid}/badge.png" + ("?form=jwt" if form == "jwt" else ""))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = response.content
    Image.open(__import__("io").BytesIO(image)).verify()  # still a valid PNG for any viewer
    baked = extract_png(image)
    assert baked == (badge.jwt if form == "jwt" else json.dumps(badge.document, ensure_ascii=False))
    report = verify_credential(image)
    assert report.valid
    assert report.form == f"png ({form})"


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_a_baked_svg_from_the_page_round_trips_and_verifies(client, badge, form):
    response = client.get(f"/awards/{badge.uuid}/badge.svg" + ("?form=jwt" if form == "jwt" else ""))
    assert response.status_code == 200
    svg = response.content
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in svg
    assert (b'<openbadges:credential verify="' in svg) == (form == "jwt")
    report = verify_credential(svg)
    assert report.valid
    assert report.form == f"svg ({form})"


def test_baking_again_replaces_the_earlier_credential():
    image = bake_png(bake_png(default_png("T", "I", "K", "#084482", "#ffbf47"), "first"), "second")
    assert extract_png(image) == "second"
    assert image.count(b"openbadgecredential") == 1


def test_a_tampered_baked_credential_fails_verification(badge):
    document = dict(badge.document, name="Another badge")
    image = bake_svg(default_svg("T", "I", "K", "#084482", "#ffbf47"), json.dumps(document), is_jwt=False)
    assert extract_svg(image) == json.dumps(document)
    assert not verify_credential(image.encode()).check("signature").passed


def test_an_unbaked_image_is_refused_with_a_reason():
    with pytest.raises(BakingError, match="no openbadgecredential"):
        extract_png(default_png("T", "I", "K", "#084482", "#ffbf47"))


def test_the_ob2_documents_are_hosted_at_stable_urls(client, badge):
    assertion = client.get(f"/ob2/assertions/{badge.uuid}").json()
    identity = badge.document["credentialSubject"]["identifier"][0]
    assert assertion == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"http://testserver:8000/ob2/assertions/{badge.uuid}",
        "recipient": {"type": "email", "hashed": True, "salt": identity["salt"], "identity": identity["identityHash"]},
        "badge": "http://testserver:8000/ob2/badges/classkick-collaboration",
        "issuedOn": badge.document["validFrom"],
        "verification": {"type": "hosted"},
        "image": "http://testserver:8000/awards/badges/classkick-collaboration.png",
    }
    badge_class = client.get("/ob2/badges/classkick-collaboration").json()
    assert badge_class["type"] == "BadgeClass"
    assert badge_class["issuer"] == "http://testserver:8000/ob2/issuers/classkick"
    assert (
        badge_class["criteria"]["narrative"]
        == badge.document["credentialSubject"]["achievement"]["criteria"]["narrative"]
    )
    issuer = client.get("/ob2/issuers/classkick").json()
    assert issuer["type"] == "Issuer"
    assert issuer["name"] == "Classkick"
    assert issuer["url"] == "https://classkick.com/"
    assert client.get("/awards/badges/classkick-collaboration.png")["Content-Type"] == "image/png"


def test_a_revoked_ob2_assertion_answers_gone(client, badge, issuer_admin):
    badge_revoke(admin=issuer_admin, badge=badge, reason="Issued in error, sorry.")
    response = client.get(f"/ob2/assertions/{badge.uuid}")
    assert response.status_code == 410
    assert response.json()["revoked"] is True
    assert response.json()["revocationReason"] == "Issued in error, sorry."


def test_a_private_credentials_ob2_assertion_is_not_found(client, badge, educator):
    badge_visibility_set(earner=educator, badge=badge, visibility="private")
    assert client.get(f"/ob2/assertions/{badge.uuid}").status_code == 404


def test_the_achievement_and_status_list_are_published(client, badge):
    achievement = client.get("/awards/achievements/classkick-collaboration/v1").json()
    assert achievement == badge.document["credentialSubject"]["achievement"]
    status = client.get("/awards/status/classkick/1")
    assert status.status_code == 200
    assert status.json()["type"][1] == "BitstringStatusListCredential"
    assert client.get("/awards/status/classkick/2").status_code == 404
    assert client.get("/awards/achievements/classkick-collaboration/v9").status_code == 404
