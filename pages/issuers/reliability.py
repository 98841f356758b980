"""An issuer admin's reviewer-agreement page (/issuers/<slug>/reliability/): Krippendorff's alpha, exact and
adjacent agreement per rubric criterion, and each reviewer's severity with its drift by month (a server-drawn
SVG line with the same figures as a table), under a GET filter form (credential, version, decision dates); a
reviewer can be sent back through calibration from it (POST, audited by the service).

Thin: reviews.selectors.reliability makes the access check (404 for anyone but the issuer's admins and platform
admins) and every figure; reviews.services.reviewer_recalibrate makes the change.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from core.errors import InvalidInput, InvalidState
from pages.issuers.filters import IssuerFiltersForm
from reviews.selectors.reliability import (
    DriftPoint,
    Filters,
    Reliability,
    reliability_for_admin,
    reviewer_get_for_recalibration,
)
from reviews.services import reviewer_recalibrate

# Query-string names -> Filters' fields.
FILTER_FIELDS = {"credential": "credential", "version": "version", "from": "decided_from", "to": "decided_to"}


class ReliabilityFilterForm(IssuerFiltersForm):
    """The lists are filled from the issuer's own credentials and versions once the figures are read."""

    filter_fields = FILTER_FIELDS
    date_labels = (gettext_lazy("Decided from"), gettext_lazy("Decided to"))
    to_help = gettext_lazy("Inclusive.")

    def filters(self) -> Filters:
        return Filters(**self.values())

    def offer(self, figures: Reliability) -> None:
        self.fields["credential"].widget.choices = [(c.slug, c.title) for c in figures.credentials]
        self.fields["version"].widget.choices = [
            ("", gettext("Every version")),
            *((str(n), gettext("Version %(number)s") % {"number": n}) for n in reversed(figures.versions)),
        ]


def _read(request: HttpRequest, slug: str) -> tuple[Reliability, ReliabilityFilterForm]:
    form = ReliabilityFilterForm(request.GET)
    form.is_valid()
    # A refused filter is left out and the rest tried again; a version is judged only once its credential is
    # known, so a second refusal can follow the first. Every filter left out, nothing is refused.
    for _ in FILTER_FIELDS:
        try:
            figures = reliability_for_admin(user=request.user, slug=slug, filters=form.filters())
            break
        except InvalidInput as refusal:
            for error in refusal.errors:
                form.add_error(error.field, f"{error.message[:1].upper()}{error.message[1:]}.")
    else:
        figures = reliability_for_admin(user=request.user, slug=slug, filters=Filters())
    form.offer(figures)
    return figures, form


# ----- the drift line ---------------------------------------------------------------------------------------

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 36, 4
INK = "#0b5cad"  # the site's brand blue, 6.4:1 on white
ZERO = "#4a5360"  # 8:1 on white


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "\u2212")


def sparkline(points: list[DriftPoint], *, who: str) -> SafeString:
    """The reviewer's severity per month as a small line around a dashed zero (the panel's consensus). An
    image named by its title, which says every figure in words; the page repeats them in a table."""
    if not points:
        return mark_safe("")
    words = "; ".join(f"{p.period}: {_signed(p.severity)}" for p in points)
    title = escape(f"{who}: severity by month, in levels from the panel's consensus. {words}")
    span = max(1.0, *(abs(p.severity) for p in points))
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD

    def y(value: float) -> float:
        return round(SPARK_PAD + inner_h / 2 - value / span * inner_h / 2, 1)

    step = inner_w / (len(points) - 1) if len(points) > 1 else 0
    xy = [
        (round(SPARK_PAD + (i * step if len(points) > 1 else inner_w / 2), 1), y(p.severity))
        for i, p in enumerate(points)
    ]
    line = " ".join(f"{x},{v}" for x, v in xy)
    dots = "".join(f'<circle cx="{x}" cy="{v}" r="2.5" fill="{INK}"/>' for x, v in xy)
    zero = y(0)
    # Safe: every value drawn is a number of ours, and the one text (the title) is escaped above.
    return mark_safe(  # noqa: S308
        f'<svg role="img" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
        f'<line x1="{SPARK_PAD}" y1="{zero}" x2="{SPARK_WIDTH - SPARK_PAD}" y2="{zero}" stroke="{ZERO}" '
        f'stroke-width="1" stroke-dasharray="3 3"/>'
        f'<polyline points="{line}" fill="none" stroke="{INK}" stroke-width="2"/>{dots}</svg>'
    )


# ----- views ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def reliability(request: HttpRequest, slug: str) -> HttpResponse:
    figures, form = _read(request, slug)
    rows = [
        {
            "person": person,
            "severity": None if person.severity is None else _signed(person.severity),
            "flag_severity": None if person.flag_severity is None else _signed(person.flag_severity),
            "drift": [(p, _signed(p.severity)) for p in person.drift],
            "sparkline": sparkline(person.drift, who=person.name or person.email),
        }
        for person in figures.reviewers
    ]
    context = {
        "figures": figures,
        "issuer": figures.issuer,
        "form": form,
        "rows": rows,
        "back": request.get_full_path(),
    }
    return render(request, "issuers/reliability.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def reliability_send_back(request: HttpRequest, slug: str, credential: str, user_id: int) -> HttpResponse:
    """Send one reviewer of the credential back through calibration, then back to the page as it was."""
    admin = request.user
    assert isinstance(admin, User)  # login_required has run
    found, reviewer, person = reviewer_get_for_recalibration(
        user=admin, slug=slug, credential_slug=credential, reviewer_id=user_id
    )
    who = reviewer.name or reviewer.email
    counted = person.flag_severity is not None
    try:
        reviewer_recalibrate(
            reviewer=reviewer,
            credential=found,
            actor=admin,
            severity=person.flag_severity if counted else person.severity,
            reviews=person.flag_reviews if counted else person.reviews,
            reason="sent back from the reliability page",
        )
    except InvalidState as refusal:
        messages.error(request, f"{who} was not sent back: {refusal.message}.")
    else:
        messages.success(
            request,
            f"{who} is sent back through calibration for {found.title} and told by email: they get no new "
            f"{found.title} review until they pass it again. The reviews they hold stay theirs.",
        )
    back = request.POST.get("back", "")
    page = reverse("issuers:reliability", args=[slug])
    # Only back to this page (with its filters), never to somewhere a posted value names.
    return redirect(back if back.startswith(page) and "//" not in back else f"{page}?credential={found.slug}")
