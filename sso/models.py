"""A district (any organisation whose people sign in through their own identity provider) and its email domains.

The provider itself is an allauth SocialApp: a district on OpenID Connect or SAML owns one, made and kept by
sso.services; a district on Google or Microsoft shares the platform's one application for that provider, and
its domains are what send its people there."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    class Method(models.TextChoices):
        OPENID_CONNECT = "openid_connect", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")
        GOOGLE = "google", _("Google Workspace")
        MICROSOFT = "microsoft", _("Microsoft Entra ID")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name"), max_length=60, unique=True, help_text=_("Lowercase letters, digits and hyphens; used in URLs.")
    )
    method = models.CharField(_("sign-in method"), max_length=20, choices=Method.choices)
    social_app = models.ForeignKey(
        "socialaccount.SocialApp", on_delete=models.PROTECT, related_name="districts", verbose_name=_("provider")
    )
    # The district's directory issues the addresses in its own domains, so its word that one is the person's can be
    # taken (allauth's per-app `verified_email`); it never vouches for an address at any other domain.
    vouches_for_domains = models.BooleanField(
        _("the provider vouches for addresses in these domains"),
        default=False,
        help_text=_(
            "Tick when the district's directory issues these addresses itself. Then a sign-in with one of them may be "
            "joined to an existing account whose holder verified the same address here."
        ),
    )
    active = models.BooleanField(_("offered on the sign-in page"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class DistrictDomain(models.Model):
    """One email domain whose people sign in through the district; a domain leads to one district only."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="domains")
    # Kept lowercase by sso.services, so the unique constraint and the sign-in lookup need no case folding.
    domain = models.CharField(_("email domain"), max_length=253, unique=True)

    class Meta:
        ordering = ("domain",)

    def __str__(self) -> str:
        return self.domain
