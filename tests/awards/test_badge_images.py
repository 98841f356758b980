"""Badge images: the generated default (issuer colours, legible title), an issuer admin's upload (checked by
content, SVG kept to a safe subset), who may change it, and where it shows: pages, baked badges, certificate."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw, PngImagePlugin
from pypdf import PdfReader

from awards import images
from awards.baking import extract_png, extract_svg
from awards.image_checks import MAX_BYTES, BadgeImageRefused, image_check
from awards.services import badge_image_reset, badge_image_set
from catalog.loader import DefinitionError, definition_parse
from catalog.models import BadgeImage
from core.errors import FileTooLarge, InvalidInput
from core.models import AuditEvent

RED = (200, 16, 32)


def png_bytes(colour=RED, size=(512, 512), *, text_chunk: str | None = None) -> bytes:
    image = Image.new("RGB", size, colour)
    info = None
    if text_chunk:
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", text_chunk)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), RED).save(out, format="JPEG")
    return out.getvalue()


SAFE_SVG = (
    b'<?xml version="1.0"?>\n<!-- drawn in an editor -->\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
    b'viewBox="0 0 100 100" inkscape:version="1.3"><defs><linearGradient id="g"><stop offset="0" '
    b'stop-color="#c81020"/></linearGradient></defs><inkscape:namedview id="nv"/>'
    b'<circle cx="50" cy="50" r="50" fill="url(#g)"/><text x="50" y="55" text-anchor="middle">Hi</text></svg>'
)


def edit_url(credential) -> str:
    return reverse("awards:badge_image_edit", args=[credential.issuer.slug, credential.slug])


# ----- the generated default -------------------------------------------------------------------------------


@pytest.mark.parametrize("colour", ["#084482", "#ffbf47", "#777777", "#767676", "#ffffff", "#000000", "#00ff00"])
def test_the_default_text_contrasts_at_least_4_5_to_1_with_any_issuer_colour(colour):
    layout = images.layout("Collaboration", "Classkick", "Certification challenge", colour, "#ffbf47")
    background = images.hex_rgb(layout.background)
    assert images.contrast(images.hex_rgb(layout.text), background) >= 4.5
    assert images.contrast(images.hex_rgb(layout.kicker_colour), background) >= 4.5


def test_text_is_black_on_a_light_colour_and_white_on_a_dark_one():
    assert images.layout("T", "I", "K", "#ffe066", "#084482").text == "#000000"
    assert images.layout("T", "I", "K", "#084482", "#ffe066").text == "#ffffff"


def test_a_long_title_is_wrapped_to_fit_the_disc():
    title = "Culturally Responsive Collaboration Across Grade-Band Professional Learning Communities"
    layout = images.layout(title, "Educators Rising", "Micro-credential", "#084482", "#ffbf47")
    assert len(layout.title_lines) > 1
    assert " ".join(layout.title_lines) == title
    font = images._font(layout.title_size, bold=True)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    assert all(measure.textlength(line, font=font) <= images.TITLE_WIDTH for line in layout.title_lines)


def test_the_default_is_drawn_in_the_issuers_colours(classkick):
    issuer = classkick.issuer
    issuer.colour, issuer.accent_colour = "#ffe066", "#1d6b35"
    issuer.save()
    classkick.refresh_from_db()
    picture = Image.open(io.BytesIO(images.credential_png(classkick))).convert("RGB")
    assert picture.getpixel((60, 256)) == images.hex_rgb("#ffe066")  # inside the disc, left of the text
    assert picture.getpixel((18, 256)) == images.hex_rgb("#1d6b35")  # the ring
    assert 'fill="#ffe066"' in images.credential_svg(classkick)
    assert 'fill="#000000">Collaboration</text>' in images.credential_svg(classkick)


def test_the_issuers_colours_come_from_the_definition(credentials):
    issuer = credentials["classkick-collaboration"].issuer
    assert (issuer.colour, issuer.accent_colour) == ("#084482", "#ffbf47")


# ----- checking an upload ----------------------------------------------------------------------------------


def test_a_png_is_kept_as_its_pixels_without_its_text_chunks():
    checked = image_check(png_bytes(text_chunk="Ada Admin, ada@classkick.example"), name="badge.png")
    assert checked.content_type == images.PNG
    assert b"ada@classkick.example" not in checked.content
    assert Image.open(io.BytesIO(checked.content)).convert("RGB").getpixel((10, 10)) == RED


def test_a_jpeg_named_png_is_refused_saying_what_it_is():
    with pytest.raises(BadgeImageRefused, match=r"“badge.png” is a JPEG image, not a PNG or SVG image"):
        image_check(jpeg_bytes(), name="badge.png")


def test_a_file_over_the_limit_is_refused():
    with pytest.raises(FileTooLarge, match="at most 1 MB"):
        image_check(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_BYTES, name="big.png")


@pytest.mark.parametrize(
    ("svg", "named"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>', "onload"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<use xlink:href="https://evil.example/x.svg#a"/></svg>',
            "outside the file",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9" '
            b'style="fill:url(https://evil.example/p)"/></svg>',
            "outside the file",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(x.css);</style></svg>', "<style>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>', "<foreignObject>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,AAAA"/></svg>', "<image>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
            "DOCTYPE",
        ),
    ],
)
def test_an_svg_outside_the_safe_subset_is_refused_naming_the_problem(svg, named):
    with pytest.raises(BadgeImageRefused) as refused:
        image_check(svg, name="badge.svg")
    assert named in refused.value.message
    assert refused.value.errors[0].field == "image"


def test_a_safe_svg_is_kept_without_comments_or_editor_markup_and_drawn_as_png():
    checked = image_check(SAFE_SVG, name="badge.svg")
    assert checked.content_type == images.SVG
    assert b"<circle" in checked.content
    assert b"inkscape" not in checked.content
    assert b"drawn in an editor" not in checked.content
    picture = Image.open(io.BytesIO(checked.png))
    assert picture.size == (512, 512)
    assert picture.convert("RGB").getpixel((256, 100)) == (200, 16, 32)


# ----- the service: who may, and the audit log -------------------------------------------------------------


def test_an_upload_is_stored_on_the_credential_and_audited(classkick, issuer_admin):
    badge_image_set(admin=issuer_admin, credential=classkick, data=png_bytes(), name="badge.png")
    stored = BadgeImage.objects.get(credential=classkick)
    assert stored.content_type == images.PNG
    classkick.refresh_from_db()
    assert classkick.badge_image_updated_at is not None
    event = AuditEvent.objects.get(action="credential.badge_image_set")
    assert (event.actor_id, event.issuer_id, event.old) == (issuer_admin.pk, classkick.issuer_id, "generated default")
    assert event.new.startswith("image/png, ")
    badge_image_reset(admin=issuer_admin, credential=classkick)
    assert not BadgeImage.objects.filter(credential=classkick).exists()
    assert AuditEvent.objects.filter(action="credential.badge_image_reset", new="generated default").exists()


def test_a_refused_upload_leaves_the_image_and_the_log_unchanged(classkick, issuer_admin):
    with pytest.raises(InvalidInput):
        badge_image_set(admin=issuer_admin, credential=classkick, data=jpeg_bytes(), name="badge.png")
    assert not BadgeImage.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="credential.badge_image").exists()


# ----- the page, persona by persona ------------------------------------------------------------------------


def test_the_issuer_admin_uploads_through_the_page(client, classkick, issuer_admin):
    client.force_login(issuer_admin)
    index = client.get(reverse("awards:badge_images", args=[classkick.issuer.slug]))
    assert index.status_code == 200
    assert f'href="{edit_url(classkick)}"' in index.content.decode()
    upload = io.BytesIO(png_bytes())
    upload.name = "badge.png"
    response = client.post(edit_url(classkick), {"image": upload})
    assert response.status_code == 302
    page = client.get(edit_url(classkick)).content.decode()
    assert "This is the image Classkick uploaded (PNG)" in page
    assert 'alt="Collaboration badge from Classkick"' in page


def test_the_page_shows_a_refusal_beside_the_field(client, classkick, issuer_admin):
    client.force_login(issuer_admin)
    upload = io.BytesIO(jpeg_bytes())
    upload.name = "badge.png"
    response = client.post(edit_url(classkick), {"image": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "is a JPEG image, not a PNG or SVG image" in html
    assert not BadgeImage.objects.exists()


@pytest.mark.parametrize("persona", ["other_issuer_admin", "educator", "reviewer_staff"])
def test_nobody_else_may_open_or_post_the_page(client, classkick, persona, request):
    client.force_login(request.getfixturevalue(persona))
    upload = io.BytesIO(png_bytes())
    upload.name = "badge.png"
    assert client.get(reverse("awards:badge_images", args=[classkick.issuer.slug])).status_code == 404
    assert client.get(edit_url(classkick)).status_code == 404
    assert client.post(edit_url(classkick), {"image": upload}).status_code == 404
    assert not BadgeImage.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, classkick):
    response = client.get(edit_url(classkick))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_platform_admin_may_change_any_issuers_image(client, classkick, platform_admin):
    client.force_login(platform_admin)
    assert client.get(edit_url(classkick)).status_code == 200


def test_another_issuers_credential_is_not_found_under_this_issuer(client, classkick, educators_rising, issuer_admin):
    client.force_login(issuer_admin)
    url = reverse("awards:badge_image_edit", args=[classkick.issuer.slug, educators_rising.slug])
    assert client.get(url).status_code == 404


# ----- where the image shows -------------------------------------------------------------------------------


def test_the_uploaded_image_is_in_the_baked_png_and_svg_and_the_public_image(client, badge, issuer_admin):
    badge_image_set(admin=issuer_admin, credential=badge.credential, data=SAFE_SVG, name="badge.svg")
    baked = client.get(f"/awards/{badge.uuid}/badge.png").content
    assert str(badge.uuid) in extract_png(baked)
    assert Image.open(io.BytesIO(baked)).convert("RGB").getpixel((256, 100)) == (200, 16, 32)
    svg = client.get(f"/awards/{badge.uuid}/badge.svg").content.decode()
    assert str(badge.uuid) in extract_svg(svg)
    assert "<circle" in svg
    public = client.get(reverse("awards:badge_image", args=[badge.credential.slug, "svg"]))
    assert public["Content-Type"] == "image/svg+xml"
    assert "<circle" in public.content.decode()


def test_a_png_upload_is_framed_in_the_baked_svg(client, badge, issuer_admin):
    badge_image_set(admin=issuer_admin, credential=badge.credential, data=png_bytes(), name="badge.png")
    svg = client.get(f"/awards/{badge.uuid}/badge.svg").content.decode()
    assert 'href="data:image/png;base64,' in svg
    assert str(badge.uuid) in extract_svg(svg)


def test_the_certificate_carries_the_badge_image(client, badge, issuer_admin):
    badge_image_set(admin=issuer_admin, credential=badge.credential, data=png_bytes(), name="badge.png")
    pdf = PdfReader(io.BytesIO(client.get(f"/awards/{badge.uuid}/certificate.pdf").content))
    pictures = [picture.image.convert("RGB") for picture in pdf.pages[0].images if picture.image is not None]
    assert any(picture.getpixel((picture.width // 2, picture.height // 2)) == RED for picture in pictures)


def test_the_certificate_carries_the_default_image_without_an_upload(client, badge):
    pdf = PdfReader(io.BytesIO(client.get(f"/awards/{badge.uuid}/certificate.pdf").content))
    assert len(pdf.pages[0].images) >= 1


def test_my_achievements_and_the_badge_page_show_the_image_with_alt_text(client, badge, educator):
    client.force_login(educator)
    mine = client.get(reverse("awards:mine")).content.decode()
    src = reverse("awards:badge_image", args=[badge.credential.slug, "png"])
    assert f'src="{src}" alt="Collaboration badge from Classkick"' in mine
    page = client.get(f"/awards/{badge.uuid}/").content.decode()
    assert f'src="{src}" alt="Collaboration badge from Classkick"' in page


def test_a_new_upload_changes_the_image_address_on_pages(client, badge, educator, issuer_admin):
    badge_image_set(admin=issuer_admin, credential=badge.credential, data=png_bytes(), name="badge.png")
    client.force_login(educator)
    mine = client.get(reverse("awards:mine")).content.decode()
    assert reverse("awards:badge_image", args=[badge.credential.slug, "png"]) + "?v=" in mine


def test_the_credential_page_shows_the_badge_image(client, classkick):
    page = client.get(reverse("catalog:detail", args=[classkick.slug])).content.decode()
    src = reverse("awards:badge_image", args=[classkick.slug, "png"])
    assert f'src="{src}" alt="Collaboration badge from Classkick"' in page


def test_the_badge_page_lists_the_rubric_criteria_as_a_list(client, badge):
    page = client.get(f"/awards/{badge.uuid}/").content.decode()
    narrative = page[page.index('class="criteria-narrative"') :]
    narrative = narrative[: narrative.index("</div>")]
    assert "<ul>" in narrative
    assert "<li>Implementation: Creating time to collaborate" in narrative
    assert "<p>- " not in page


def test_a_definition_may_set_the_issuers_colours_and_a_bad_one_is_refused(settings):
    text = (settings.CREDENTIALS_DIR / "classkick-collaboration.yaml").read_text()
    coloured = text.replace(
        "  name: Classkick\n", '  name: Classkick\n  colour: "#ffe066"\n  accent_colour: "#1d6b35"\n', 1
    )
    spec = definition_parse(coloured, source="classkick-collaboration.yaml")
    assert (spec.issuer.colour, spec.issuer.accent_colour) == ("#ffe066", "#1d6b35")
    with pytest.raises(DefinitionError, match=r"issuer\.colour"):
        definition_parse(coloured.replace('"#ffe066"', '"yellow"'), source="classkick-collaboration.yaml")
