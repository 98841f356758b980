from django.urls import path, register_converter

from pages.awards import badge_images, badge_page, partner_staff, views


class _ImageExt:
    regex = "png|svg"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(_ImageExt, "image_ext")

app_name = "awards"
urlpatterns = [
    # The earner's and the public's pages
    path("awards/", views.public_list, name="public_list"),
    path("awards/mine/", views.mine, name="mine"),
    path("awards/mine/export.zip", views.export_all, name="export"),
    path("awards/<uuid:uuid>/", badge_page.detail, name="detail"),
    path("awards/<uuid:uuid>/credential.json", views.credential_json, name="json"),
    path("awards/<uuid:uuid>/credential.jwt", views.credential_jwt, name="jwt"),
    path("awards/<uuid:uuid>/badge.png", views.baked_png, name="png"),
    path("awards/<uuid:uuid>/badge.svg", views.baked_svg, name="svg"),
    path("awards/<uuid:uuid>/certificate.pdf", views.certificate, name="certificate"),
    path("awards/<uuid:uuid>/visibility/", views.visibility, name="visibility"),
    path("awards/<uuid:uuid>/revoke/", views.revoke, name="revoke"),
    path("awards/<uuid:uuid>/apply/", views.apply, name="apply"),
    # Partner universities' staff
    path("awards/partner/", views.partner_list, name="partner_list"),
    path("awards/partner/applications/<pk:application_id>/", views.partner_application, name="partner_application"),
    # An issuer's admins staff the universities that offer its credit
    path("awards/issuers/<slug:slug>/partners/", partner_staff.partner_staff, name="partner_staff"),
    # An issuer's admins choose the image on its credentials' badges
    path("awards/issuers/<slug:slug>/badge-images/", badge_images.badge_images, name="badge_images"),
    path(
        "awards/issuers/<slug:slug>/badge-images/<slug:credential>/", badge_images.badge_image, name="badge_image_edit"
    ),
    # Verification
    path("verify/", views.verify_page, name="verify"),
    # Published documents (stable URLs: they are written into signed credentials)
    path("issuers/<slug:slug>/did.json", views.did_json, name="did"),
    path("awards/status/<slug:slug>/<pk:number>", views.status_list, name="status_list"),
    path("awards/achievements/<slug:slug>/v<pk:number>", views.achievement, name="achievement"),
    path("awards/badges/<slug:slug>.<image_ext:ext>", views.badge_image, name="badge_image"),
    path("ob2/issuers/<slug:slug>", views.ob2_issuer, name="ob2_issuer"),
    path("ob2/badges/<slug:slug>", views.ob2_badge, name="ob2_badge"),
    path("ob2/assertions/<uuid:uuid>", views.ob2_assertion, name="ob2_assertion"),
]
