"""Awards pages and documents. Thin: every object comes through a selector (404 for anyone who may not see it),
every change through one service, every check through awards.verify."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.participants import SharingNotConsented
from awards import baking, documents, images, selectors, services
from awards.keys import did_document
from awards.models import ApplicationStatus, Badge, Visibility
from awards.pdf import certificate_pdf
from awards.verify import Report, verify_credential
from catalog.models import Credential
from core.errors import InvalidInput, InvalidState
from pages.awards import forms
from pages.awards.badge_page import page_context
from pages.service_errors import form_errors_add


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _json(body: Any, *, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    response = HttpResponse(json.dumps(body, indent=2, ensure_ascii=False), content_type=content_type, status=status)
    response["Access-Control-Allow-Origin"] = "*"  # public documents: any verifier or backpack may read them
    return response


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _show_on_form(form: Form, refusal: InvalidInput | InvalidState) -> None:
    """A refusal the person can correct where they are: beside the field it names, else above the form.
    NotAllowed is not caught by the views: the selectors answer 404 first, and pages/errors.py maps the rest."""
    if isinstance(refusal, InvalidInput):
        form_errors_add(form, refusal.errors)
    else:
        form.add_error(None, refusal.message)


def _of_a_definition(badge: Badge) -> Badge:
    """Badge images, the certificate and the OB 2.0 form are drawn from a credential's definition, which a
    pathway's (stacked) credential has not."""
    if badge.is_stacked:
        raise Http404("a pathway's credential has no badge image, certificate or Open Badges 2.0 form")
    return badge


def _credential(badge: Badge) -> Credential:
    if badge.credential is None:
        raise Http404("a pathway's credential has no credential definition")
    return badge.credential


def _filename(badge: Badge, ext: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", badge.title.lower()).strip("-") or "credential"
    return f"{slug}-{str(badge.uuid)[:8]}.{ext}"


# ----- the badge page's downloads ----------------------------------------------------------------------------


@require_GET
def credential_json(request: HttpRequest, uuid: str) -> HttpResponse:
    badge = selectors.badge_get_for_viewer(user=request.user, uuid=uuid)
    return _download(_json(badge.document, content_type="application/ld+json"), _filename(badge, "json"))


@require_GET
def credential_jwt(request: HttpRequest, uuid: str) -> HttpResponse:
    badge = selectors.badge_get_for_viewer(user=request.user, uuid=uuid)
    return _download(HttpResponse(badge.jwt, content_type="application/jwt"), _filename(badge, "jwt"))


def _baked_payload(request: HttpRequest, badge: Badge) -> tuple[str, bool]:
    if request.GET.get("form") == "jwt":
        return badge.jwt, True
    return json.dumps(badge.document, ensure_ascii=False), False


@require_GET
def baked_png(request: HttpRequest, uuid: str) -> HttpResponse:
    badge = _of_a_definition(selectors.badge_get_for_viewer(user=request.user, uuid=uuid))
    payload, _ = _baked_payload(request, badge)
    image = baking.bake_png(images.credential_png(_credential(badge)), payload)
    return _download(HttpResponse(image, content_type="image/png"), _filename(badge, "png"))


@require_GET
def baked_svg(request: HttpRequest, uuid: str) -> HttpResponse:
    badge = _of_a_definition(selectors.badge_get_for_viewer(user=request.user, uuid=uuid))
    payload, is_jwt = _baked_payload(request, badge)
    image = baking.bake_svg(images.credential_svg(_credential(badge)), payload, is_jwt=is_jwt)
    return _download(HttpResponse(image, content_type="image/svg+xml"), _filename(badge, "svg"))


@require_GET
def certificate(request: HttpRequest, uuid: str) -> HttpResponse:
    badge = _of_a_definition(selectors.badge_get_for_viewer(user=request.user, uuid=uuid))
    context = page_context(request, badge)
    context["badge_image_url"] = documents.badge_image_url(_credential(badge).slug)
    context["badge_image_alt"] = images.credential_image_alt(_credential(badge))
    pdf = certificate_pdf(context, images={context["badge_image_url"]: images.credential_png(_credential(badge))})
    return _download(HttpResponse(pdf, content_type="application/pdf"), _filename(badge, "pdf"))


@login_required
@require_POST
def visibility(request: HttpRequest, uuid: str) -> HttpResponse:
    badge = selectors.badge_get_for_earner(user=request.user, uuid=uuid)
    form = forms.VisibilityForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose who can see the credential: public, unlisted or private."))
    else:
        try:
            services.badge_visibility_set(
                earner=_user(request), badge=badge, visibility=form.cleaned_data["visibility"]
            )
        except SharingNotConsented as refusal:
            messages.error(request, gettext("Not changed: %(message)s.") % {"message": refusal.message})
        else:
            label = Visibility(badge.visibility).label.split(":")[0]
            messages.success(request, gettext("Saved: this credential is now %(label)s.") % {"label": label.lower()})
    return redirect(
        (request.POST.get("next") == "mine" and reverse("awards:mine")) or reverse("awards:detail", args=[uuid])
    )


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, uuid: str) -> HttpResponse:
    badge = selectors.badge_get_for_admin(user=request.user, uuid=uuid)
    form = forms.RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.badge_revoke(admin=_user(request), badge=badge, reason=form.cleaned_data["reason"])
        except (InvalidInput, InvalidState) as refusal:
            _show_on_form(form, refusal)
        else:
            messages.success(
                request, gettext("The credential is revoked. %(name)s has been told why.") % {"name": badge.earner.name}
            )
            return redirect("awards:detail", uuid=uuid)
    return render(request, "awards/revoke.html", {"badge": badge, "form": form})


# ----- public listing and the earner's own page ------------------------------------------------------------


PUBLIC_PAGE_SIZE = 25


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    # One badge past the page says whether another follows: counting every public badge on each view would
    # cost more the more there are.
    raw = request.GET.get("page", "")
    number = int(raw) if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 100_000 else 1
    size = PUBLIC_PAGE_SIZE
    badges = list(selectors.badges_listed()[(number - 1) * size : number * size + 1])
    page = {
        "object_list": badges[:size],
        "number": number,
        "has_previous": number > 1,
        "has_next": len(badges) > size,
        "previous_page_number": number - 1,
        "next_page_number": number + 1,
    }
    return render(request, "awards/public_list.html", {"page": page})


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    # A pathway's credentials are listed on the transcript (pages/pathways), with what they stack.
    badges = list(selectors.badges_list_for_earner(user=request.user).filter(attempt__isnull=False))
    return render(request, "awards/mine.html", {"badges": badges, "visibility_choices": Visibility.choices})


@login_required
@require_GET
def export_all(request: HttpRequest) -> HttpResponse:
    """A zip of every credential the earner holds, as JSON (Data Integrity) and JWT files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for badge in selectors.badges_list_for_earner(user=request.user):
            archive.writestr(_filename(badge, "json"), json.dumps(badge.document, indent=2, ensure_ascii=False))
            archive.writestr(_filename(badge, "jwt"), badge.jwt)
    return _download(HttpResponse(buffer.getvalue(), content_type="application/zip"), "my-credentials.zip")


# ----- graduate credit --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, uuid: str) -> HttpResponse:
    badge = selectors.badge_get_for_earner(user=request.user, uuid=uuid)
    offers = selectors.offers_for(badge=badge)
    if not offers:
        raise Http404("this credential offers no graduate credit")
    form = forms.ApplicationForm(request.POST if request.method == "POST" else None, offers=offers)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                earner=_user(request),
                badge=badge,
                partner=form.cleaned_data["partner"],
                message=form.cleaned_data["message"],
            )
        except (InvalidInput, InvalidState) as refusal:
            _show_on_form(form, refusal)
        else:
            messages.success(
                request,
                gettext("Your application to %(name)s is sent. We will email you its decision.")
                % {"name": application.partner.name},
            )
            return redirect("awards:detail", uuid=uuid)
    return render(request, "awards/apply.html", {"badge": badge, "form": form, "offers": offers})


@login_required
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    partners = selectors.partners_for_staff(user=request.user)
    if not partners:
        raise Http404("you are not on a partner university's staff")
    applications = list(selectors.applications_for_partner_staff(user=request.user))
    return render(request, "awards/partner_list.html", {"partners": partners, "applications": applications})


@login_required
@require_http_methods(["GET", "POST"])
def partner_application(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_for_staff(user=request.user, application_id=application_id)
    report: Report | None = None
    form = forms.DecisionForm()
    if request.method == "POST" and request.POST.get("action") == "verify":
        report = verify_credential(application.badge.document)
    elif request.method == "POST":
        form = forms.DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.application_decide(
                    staff=_user(request),
                    application=application,
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                )
            except (InvalidInput, InvalidState) as refusal:
                _show_on_form(form, refusal)
            else:
                label = ApplicationStatus(form.cleaned_data["decision"]).label
                messages.success(
                    request,
                    gettext("Recorded: %(label)s. %(name)s has been emailed.")
                    % {"label": label.lower(), "name": application.earner.name},
                )
                return redirect("awards:partner_application", application_id=application.pk)
    return render(
        request,
        "awards/partner_application.html",
        {"application": application, "badge": application.badge, "report": report, "form": form},
    )


# ----- verification -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = forms.VerifyForm(request.POST if posted else None, request.FILES if posted else None)
    report: Report | None = None
    if request.method == "POST" and form.is_valid():
        report = verify_credential(form.payload())
        if report.error:
            field = "image" if form.cleaned_data.get("image") else "credential"
            form.add_error(field, report.error)
            report = None
    context = {"form": form, "report": report, "fetch_remote": settings.VERIFY_FETCH_REMOTE}
    return render(request, "awards/verify.html", context)


# ----- published documents: DID documents, status lists, achievements, images, OB 2.0 ----------------------


@require_GET
def did_json(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = selectors.issuer_by_slug(slug=slug)
    keys = selectors.issuer_keys(issuer=issuer)
    if not keys:
        raise Http404("this issuer has no keys yet")
    return _json(did_document(slug=issuer.slug, keys=keys), content_type="application/did+json")


@require_GET
def status_list(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    listed = selectors.status_list_get(slug=slug, number=number)
    response = _json(listed.document, content_type="application/vc+ld+json")
    # Verifiers may cache briefly; a revocation shows within five minutes even through a CDN.
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def achievement(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    credential = selectors.credential_by_slug(slug=slug)
    version = credential.versions.filter(number=number).first()
    if version is None:
        raise Http404("no such version")
    return _json(documents.achievement(version))


@require_GET
def badge_image(request: HttpRequest, slug: str, ext: str) -> HttpResponse:
    credential = selectors.credential_by_slug(slug=slug)
    if ext == "png":
        response = HttpResponse(images.credential_png(credential), content_type=images.PNG)
    else:
        response = HttpResponse(images.credential_svg(credential), content_type=images.SVG)
    # Pages ask for it with its last change in the query (pages/templatetags/award_pages.py), so a new upload
    # shows there at once; the bare URL, written into signed credentials, may be an hour stale.
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def ob2_issuer(request: HttpRequest, slug: str) -> HttpResponse:
    return _json(documents.ob2_issuer(selectors.issuer_by_slug(slug=slug)))


@require_GET
def ob2_badge(request: HttpRequest, slug: str) -> HttpResponse:
    credential = selectors.credential_by_slug(slug=slug)
    assert credential.current_version is not None
    return _json(documents.ob2_badgeclass(credential.current_version))


@require_GET
def ob2_assertion(request: HttpRequest, uuid: str) -> HttpResponse:
    """The hosted OB 2.0 Assertion. A revoked one answers 410 Gone with revoked: true, as OB 2.0 hosted
    verification expects; a private one is not found, like its page."""
    url = documents.absolute(reverse("awards:ob2_assertion", kwargs={"uuid": uuid}))
    try:
        badge = _of_a_definition(selectors.badge_get_for_viewer(user=None, uuid=uuid))
    except selectors.BadgeWithdrawn as withdrawn:
        # Still answered as OB 2.0 expects, so a backpack that checks a copy is told it was revoked.
        body = {"@context": documents.OB2_CONTEXT, "id": url, "revoked": True, "revocationReason": withdrawn.message}
        return _json(body, status=410)
    if badge.revoked_at is not None:
        return _json(
            {
                "@context": documents.OB2_CONTEXT,
                "id": url,
                "revoked": True,
                "revocationReason": badge.revocation_reason,
            },
            status=410,
        )
    subject = badge.document["credentialSubject"]["identifier"][0]
    return _json(
        documents.ob2_assertion(
            uuid=str(badge.uuid),
            slug=_credential(badge).slug,
            identity=subject["identityHash"],
            salt=subject["salt"],
            issued_at=badge.issued_at,
            valid_until=badge.valid_until,
        )
    )
