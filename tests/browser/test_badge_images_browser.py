"""An issuer admin changes a credential's badge image in Chromium, by keyboard-reachable controls (axe and the
phone-width check run on every page)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from accounts.models import IssuerMembership, User
from accounts.services import membership_grant
from catalog.models import BadgeImage
from tests.browser.submission_pages import prepare_site, sign_in


@pytest.mark.django_db(transaction=True)
def test_an_issuer_admin_uploads_a_badge_image_and_goes_back_to_the_generated_one(
    page, live_server, settings, tmp_path
):
    credentials = prepare_site(settings, tmp_path)
    credential = credentials["classkick-collaboration"]
    admin = User.objects.create_user(email="ada@classkick.example", password="x" * 12, name="Ada Admin")
    membership_grant(actor=None, user=admin, issuer=credential.issuer, role=IssuerMembership.Role.ADMIN)
    picture = tmp_path / "badge.png"
    buffer = io.BytesIO()
    Image.new("RGB", (512, 512), (200, 16, 32)).save(buffer, format="PNG")
    picture.write_bytes(buffer.getvalue())

    sign_in(page, live_server, admin)
    page.goto(reverse("accounts:dashboard"))
    page.get_by_role("link", name="Badge images of Classkick").click()
    expect(page.get_by_role("img", name="Collaboration badge from Classkick")).to_be_visible()
    page.get_by_role("link", name="Change the badge image of Collaboration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Badge image of Collaboration")

    page.get_by_role("button", name="Upload the image").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a PNG or SVG image to upload")
    page.get_by_label("Badge image (PNG or SVG)").set_input_files(str(picture))
    page.get_by_role("button", name="Upload the image").click()
    expect(page.get_by_role("status")).to_contain_text("Saved: badges of Collaboration carry the new image")
    assert BadgeImage.objects.filter(credential=credential).exists()
    shown = page.get_by_role("img", name="Collaboration badge from Classkick")
    expect(shown).to_have_js_property("naturalWidth", 512)

    page.get_by_role("button", name="Use the generated image").click()
    expect(page.get_by_role("status")).to_contain_text("now uses the generated badge image")
    assert not BadgeImage.objects.filter(credential=credential).exists()
