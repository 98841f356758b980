"""A badge's public page: its verification live, and the page kept (core.fragments) under the state of the badge,
both verification results and the language, for everyone but its earner and the issuer's admins, whose pages carry
their own controls.

Live how: the badge's row (with the issuer, credential and version read beside it) is read on every view; the
verification (each check answered from awards.verify_cache while the issuer's key and status list stand) is run
again whenever the change log shows a write to the issuer's keys or status lists (awards/changes.py) since the
page was kept, or the clock reaches the credential's validFrom or validUntil; for a signed-in visitor, on every
view."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from accounts.participants import sharing_consented
from awards import selectors, services
from awards.changes import keys_scope
from awards.models import Badge
from awards.verify import Report, verify_credentials
from awards.verify_report import time_parse
from catalog.definition_text import definition_shown
from core import changes
from core.fragments import (
    fragment_get,
    fragment_key,
    fragment_set,
    page_key,
    person_page_kept,
    person_page_mark,
    person_page_render,
)
from pages.awards import forms


# A badge's page URL never changes, so its QR code is drawn once per process and URL.
@lru_cache(maxsize=2048)
def qr_svg(url: str) -> str:
    """The QR code of a URL as inline SVG markup (no XML declaration), for the page and the certificate."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    markup = image.to_string(encoding="unicode")
    assert isinstance(markup, str)
    return re.sub(r"^<\?xml[^>]*>\s*", "", markup)


def linkedin_url(badge: Badge, page_url: str) -> str:
    """LinkedIn's documented "Add to profile" link for a certification, filled in from the credential."""
    params: dict[str, Any] = {
        "startTask": "CERTIFICATION_NAME",
        "name": badge.title,
        "organizationName": badge.issuer.name,
        "issueYear": badge.issued_at.year,
        "issueMonth": badge.issued_at.month,
        "certUrl": page_url,
        "certId": str(badge.uuid),
    }
    if badge.valid_until:
        params["expirationYear"] = badge.valid_until.year
        params["expirationMonth"] = badge.valid_until.month
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def earner_name(badge: Badge) -> str:
    for identity in badge.document.get("credentialSubject", {}).get("identifier", []):
        if identity.get("identityType") == "name" and identity.get("hashed") is False:
            return str(identity.get("identityHash"))
    return gettext("The earner")


def page_context(request: HttpRequest, badge: Badge) -> dict[str, Any]:
    page_url = services.badge_page_url(badge)
    achievement = badge.document["credentialSubject"]["achievement"]
    user_id = request.user.pk if request.user.is_authenticated else None
    return {
        "badge": badge,
        "earner_name": earner_name(badge),
        "achievement": achievement,
        "page_url": page_url,
        "qr": qr_svg(page_url),
        "is_earner": user_id == badge.earner_id,
        "linkedin_url": linkedin_url(badge, page_url),
        # Sharing links are offered only where the earner may share outside the platform (accounts.participants).
        "may_share": sharing_consented(user=badge.earner),
        "spec": definition_shown(badge.version.spec) if badge.version else None,
    }


def _report_state(report: Report) -> tuple[Any, ...]:
    return (report.form, report.error, [(c.id, c.label, c.outcome, c.detail, c.reason) for c in report.checks])


def _badge_state(badge: Badge) -> tuple[Any, ...]:
    """Everything a badge's page shows of the badge and the rows beside it; the signed forms by their hash."""
    credential, version = badge.credential, badge.version
    return (
        badge.pk,
        badge.uuid,
        badge.title,
        badge.issued_at,
        badge.valid_until,
        badge.is_expired,
        badge.revoked_at,
        hashlib.sha256(badge.document_text.encode("utf-8", "surrogatepass")).hexdigest(),
        badge.issuer.name,
        badge.issuer.url,
        credential and (credential.pk, credential.slug, credential.badge_image_updated_at),
        version and (version.pk, version.number, version.content_hash),
    )


def _changes_at(badge: Badge) -> datetime | None:
    """When the clock alone changes the badge's verification: its validFrom or validUntil, whichever comes next."""
    now = timezone.now()
    moments = (time_parse(badge.document.get(name)) for name in ("validFrom", "validUntil"))
    return min((moment for moment in moments if moment is not None and moment > now), default=None)


@require_GET
def detail(request: HttpRequest, uuid: str) -> HttpResponse:
    badge = selectors.badge_get_for_page(user=request.user, uuid=uuid)
    if badge.is_stacked:  # a pathway's credential: its page is the pathway's (pages/pathways)
        return redirect("pathways:credential", uuid=badge.uuid)
    user_id = request.user.pk if request.user.is_authenticated else None
    is_earner = user_id == badge.earner_id
    can_revoke = user_id is not None and selectors.is_issuer_admin(user=request.user, issuer_id=badge.issuer_id)
    whole: str | None = None
    live: tuple[Any, ...] | None = None
    mark: changes.Mark | None = None
    may_share = False

    def scopes(_state: object) -> tuple[str, ...]:
        return (keys_scope(badge.issuer_id),)

    if not is_earner and not can_revoke:
        may_share = sharing_consented(user=badge.earner)
        # What is read on every view: the badge's row and those beside it, both signed forms by their hash, and
        # whether the earner may share it. A visitor who is not signed in gets the page kept for them all, sent as
        # it is while that is unchanged and the change log vouches for the verification (the module's docstring).
        signed = hashlib.sha256(badge.jwt.encode("utf-8", "surrogatepass")).hexdigest()
        live = (_badge_state(badge), signed, may_share)
        whole = page_key(request, "awards.badge_page.kept", badge.uuid)
        sent, _kept = person_page_kept(request, whole, lambda: live)
        if sent is not None:
            return sent
        mark = person_page_mark(whole, scopes)
    # Both forms against one reading of the issuer's keys and status list (after the mark: a write made while
    # they are read is a change after it).
    report, jwt_report = verify_credentials(badge.document_text, badge.jwt)
    key = None
    if live is not None:
        # Everyone else sees the same page body, drawn once per state of the badge, its verification and the language.
        key = fragment_key("awards.badge_page", live[0], _report_state(report), _report_state(jwt_report), may_share)
    context: dict[str, Any] = {
        "badge": badge,
        "earner_name": earner_name(badge),
        "linkedin_url": linkedin_url(badge, services.badge_page_url(badge)),
        "is_earner": is_earner,
        "can_revoke": can_revoke,
        "report": report,
        "jwt_report": jwt_report,
    }
    if key is None:
        # Their page has their own controls (visibility, graduate credit, the gallery offer, revoking).
        context.update(page_context(request, badge))
        context["visibility_form"] = forms.VisibilityForm(initial={"visibility": badge.visibility})
        if is_earner:
            context["offers"] = selectors.offers_for(badge=badge)
            context["applications"] = list(badge.applications.select_related("partner"))
        return render(request, "awards/detail.html", context)
    body = fragment_get(key, str)
    if body is None:
        # Drawn from the same rows and results its key was made of.
        drawn = {**context, **page_context(request, badge), "may_share": may_share}
        body = render_to_string("awards/_detail_body.html", drawn, request)
        fragment_set(key, body)
    context["body"] = SafeString(body)
    return person_page_render(
        request,
        "awards/detail.html",
        context,
        key=whole,
        state=key,
        mark=mark,
        scopes=scopes,
        until=lambda _state: _changes_at(badge),
        live=live,
    )
