"""The pathway pages at /pathways/: a pathway's public page, the educator's progress along every pathway, a
pathway's credential, and the educator's transcript (page, PDF, and every signed credential in one Open Badges
3.0 bundle). Thin: every object comes through a selector (404 for anyone who may not see it)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from awards import services as awards
from awards.models import Badge
from awards.selectors import is_issuer_admin
from awards.verify import verify_credentials
from pages.awards.forms import VisibilityForm
from pathways import selectors
from pathways.pdf import transcript_pdf


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _earner_name(badge: Badge) -> str:
    """The name as the signed credential gives it (the earner's name is in it, unhashed)."""
    for identity in badge.document.get("credentialSubject", {}).get("identifier", []):
        if identity.get("identityType") == "name" and identity.get("hashed") is False:
            return str(identity.get("identityHash"))
    return gettext("The earner")


@require_GET
def detail(request: HttpRequest, issuer: str, slug: str) -> HttpResponse:
    pathway = selectors.pathway_get_public(user=request.user, issuer_slug=issuer, slug=slug)
    (progress,) = selectors.progress_for(user=request.user, pathways=[pathway])
    hours = sum(
        (c.current_version.spec.pd_hours or 0.0) for c in pathway.credentials.all() if c.current_version is not None
    )
    return render(request, "pathways/detail.html", {"pathway": pathway, "progress": progress, "hours": hours})


@login_required
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    page = selectors.page_of(selectors.pathways_published(), request.GET.get("page"))
    rows = selectors.progress_for(user=request.user, pathways=list(page.object_list))
    return render(request, "pathways/progress.html", {"page": page, "rows": rows})


@require_GET
def credential(request: HttpRequest, uuid: str) -> HttpResponse:
    badge, award = selectors.pathway_badge_for_viewer(user=request.user, uuid=uuid)
    stacked = list(award.stacked.all())
    # Both forms as of one moment, against one reading of the issuer's key state.
    report, jwt_report = verify_credentials(badge.document, badge.jwt)
    context = {
        "badge": badge,
        "earner_name": _earner_name(badge),
        "achievement": badge.document["credentialSubject"]["achievement"],
        "award": award,
        "stacked": stacked,
        "stacked_revoked": [b for b in stacked if b.revoked_at is not None],
        "report": report,
        "jwt_report": jwt_report,
        "page_url": awards.badge_page_url(badge),
        "is_earner": request.user.is_authenticated and request.user.pk == badge.earner_id,
        "can_revoke": is_issuer_admin(user=request.user, issuer_id=badge.issuer_id),
        "visibility_form": VisibilityForm(initial={"visibility": badge.visibility}),
    }
    return render(request, "pathways/credential.html", context)


@login_required
@require_GET
def transcript_home(request: HttpRequest) -> HttpResponse:
    return redirect("pathways:transcript", user_id=request.user.pk)


@login_required
@require_GET
def transcript(request: HttpRequest, user_id: int) -> HttpResponse:
    return render(
        request,
        "pathways/transcript.html",
        {"transcript": selectors.transcript_for(user=request.user, owner_id=user_id)},
    )


@login_required
@require_GET
def transcript_download(request: HttpRequest, user_id: int) -> HttpResponse:
    pdf = transcript_pdf({"transcript": selectors.transcript_for(user=request.user, owner_id=user_id)})
    return _download(HttpResponse(pdf, content_type="application/pdf"), "transcript.pdf")


@login_required
@require_GET
def transcript_bundle(request: HttpRequest, user_id: int) -> HttpResponse:
    bundle = selectors.transcript_bundle(user=request.user, owner_id=user_id)
    body = json.dumps(bundle, indent=2, ensure_ascii=False)
    return _download(HttpResponse(body, content_type="application/ld+json"), "credentials-bundle.json")
