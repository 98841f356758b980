"""Template tags for the awards pages: words for counts and forms a badge comes in, and badge images."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from awards.selectors import is_partner_staff
from catalog.models import Credential

register = template.Library()


@register.simple_tag(takes_context=True)
def partner_staff(context: template.Context) -> bool:
    """Whether the signed-in person decides graduate-credit applications for a partner university."""
    request = context.get("request")
    return is_partner_staff(user=getattr(request, "user", None))


# What `awards.verify.Report.form` holds, said as the reader would: where the credential was read from.
_CONTAINERS = {"png": gettext_lazy("a baked PNG badge image"), "svg": gettext_lazy("a baked SVG badge image")}
_PAYLOADS = {
    "json": gettext_lazy("a JSON credential (Data Integrity proof)"),
    "jwt": gettext_lazy("a VC-JWT (JSON Web Token)"),
}


@register.filter
def credential_form_words(form: str) -> str:
    """ "svg (jwt)" → "a baked SVG badge image holding a VC-JWT (JSON Web Token)"."""
    container, _, payload = form.partition(" (")
    payload = payload.rstrip(")")
    if not payload:
        return str(_PAYLOADS.get(container, container))
    return gettext("%(container)s holding %(payload)s") % {
        "container": _CONTAINERS.get(container, container),
        "payload": _PAYLOADS.get(payload, payload),
    }


@register.filter
def graduate_credits(credits: Decimal | int | float) -> str:
    """ "1 graduate credit", "1.5 graduate credits", "3 graduate credits"."""
    number = Decimal(str(credits)).normalize()
    shown = number_format(Decimal(f"{number:f}"))  # "1.5" in English, "1,5" in Spanish
    return ngettext("%(n)s graduate credit", "%(n)s graduate credits", 1 if number == 1 else 2) % {"n": shown}


@register.simple_tag
def badge_image_src(credential: Credential, ext: str = "png") -> str:
    """The credential's public badge image URL, with its last change in the query so a new upload shows at once
    (the image itself is cached for a day)."""
    url = reverse("awards:badge_image", kwargs={"slug": credential.slug, "ext": ext})
    changed = credential.badge_image_updated_at
    return f"{url}?v={int(changed.timestamp())}" if changed else url
