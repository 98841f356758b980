"""The preview of a draft: the credential page, the educator's form and the reviewer's scoring page exactly as
they will appear once the draft is published, drawn by the same context builders and templates as the real
pages from the draft's definition, in an unsaved version that nothing can point at. Read-only: each page is
bannered "Preview — not published", its forms are disabled and its scripts left out, so nothing can be saved or
submitted; the answers are empty. A draft that does not validate shows its problems instead, with links to the
editor. For the issuer's admins and platform admins (404 for anyone else)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from authoring.models import CredentialDraft
from authoring.selectors import credential_get_for_author, draft_find_for_author
from authoring.services.drafts import draft_problems
from catalog.loader import definition_hash
from catalog.models import Credential, CredentialVersion
from catalog.presentation import credential_page_context, seat_title
from catalog.schema import CredentialDefinition
from catalog.selectors import PublishedCredential
from pages.authoring.sections import section_for
from pages.reviews.views import scoring_context
from pages.submissions.context import form_context
from pages.submissions.steps import SELF_EVALUATION, SUMMARY, Step, steps_from
from pages.submissions.widgets import rating_widgets, step_widgets
from reviews.anonymise import Redactor
from reviews.selectors import ReviewerAttemptView
from reviews.selectors.reviewer_view import parts_view, rubric_view

# The templates link an attempt or an assignment by its id; a preview has none, and 0 is no row's id.
NO_ROW = 0


@dataclass(frozen=True)
class Previewed:
    """What a preview draws: the draft (None when none is open and the current version is shown), the
    credential (unsaved for a credential not yet published), and the definition in an unsaved version."""

    draft: CredentialDraft | None
    credential: Credential
    version: CredentialVersion
    spec: CredentialDefinition


def _previewed(request: HttpRequest, slug: str, credential: str) -> Previewed | list[tuple[str, str]]:
    """The text to preview, or the draft's problems when it does not validate."""
    draft = draft_find_for_author(user=request.user, slug=slug, credential=credential)
    if draft is None:
        found = credential_get_for_author(user=request.user, slug=slug, credential=credential)
        if found.current_version is None:
            raise Http404("nothing to preview")
        return Previewed(None, found, found.current_version, found.current_version.spec)
    problems = draft_problems(draft)
    if problems:
        return problems
    spec = CredentialDefinition.model_validate(draft.definition)
    owner = draft.credential or Credential(slug=draft.slug, issuer=draft.issuer, title=spec.title, summary=spec.summary)
    current = draft.credential.current_version if draft.credential else None
    version = CredentialVersion(
        credential=owner,
        number=(current.number + 1) if current else 1,
        content_hash=definition_hash(spec),
        definition=spec.model_dump(mode="json"),
        source_name="preview",
        loaded_at=timezone.now(),
    )
    return Previewed(draft, owner, version, spec)


def _links(slug: str, credential: str) -> dict[str, str]:
    args = [slug, credential]
    return {
        "credential_url": reverse("authoring:preview", args=args),
        "form_url": reverse("authoring:preview_form", args=args),
        "scoring_url": reverse("authoring:preview_scoring", args=args),
        "draft_url": reverse("authoring:draft", args=args),
    }


def _frame(request: HttpRequest, slug: str, credential: str, shown: Previewed, which: str) -> dict[str, Any]:
    """What every preview page adds to the real page's context: the banner, its links, and the issuer slug."""
    return {
        "preview": {
            "which": which,
            "draft": shown.draft,
            "title": shown.spec.title,
            "issuer_slug": slug,
            **_links(slug, credential),
        }
    }


def _problems(request: HttpRequest, slug: str, credential: str, problems: list[tuple[str, str]]) -> HttpResponse:
    def editor(path: str) -> str:
        section = section_for(path)
        if section is None:
            return reverse("authoring:draft", args=[slug, credential])
        return reverse("authoring:draft_section", args=[slug, credential, section.slug])

    context = {
        "problems": [
            {"path": path or "(the whole definition)", "message": message, "url": editor(path)}
            for path, message in problems
        ],
        "credential_slug": credential,
        "issuer_slug": slug,
        **_links(slug, credential),
    }
    return render(request, "authoring/preview_problems.html", context, status=200)


@login_required
@require_GET
def preview(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    """The credential's public page as the draft would show it."""
    shown = _previewed(request, slug, credential)
    if isinstance(shown, list):
        return _problems(request, slug, credential, shown)
    context = credential_page_context(PublishedCredential(credential=shown.credential, version=shown.version))
    context.update(_frame(request, slug, credential, shown, "credential"))
    return render(request, "authoring/preview_credential.html", context)


@login_required
@require_GET
def preview_form(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    """One step of the educator's form (`?step=` a part id or the self-evaluation), empty, as an educator
    starting the draft's version would see it."""
    shown = _previewed(request, slug, credential)
    if isinstance(shown, list):
        return _problems(request, slug, credential, shown)
    base = reverse("authoring:preview_form", args=[slug, credential])
    steps = [s for s in steps_from(shown.spec, lambda key: f"{base}?step={key}") if s.key != SUMMARY]
    wanted = request.GET.get("step") or steps[0].key
    step: Step | None = next((s for s in steps if s.key == wanted), None)
    if step is None:
        raise Http404("no such step")
    context = form_context(shown.spec, steps, step)
    context.update(
        {
            "credential": shown.credential,
            "submission": {"pk": NO_ROW},
            "revision": 0,
            "autosave": "",
            "shows_stored": True,
        }
    )
    context.update(_frame(request, slug, credential, shown, "form"))
    if step.key == SELF_EVALUATION:
        context["ratings"] = rating_widgets(shown.spec, values={}, stored={})
        context["rubric"] = shown.spec.rubric
        return render(request, "authoring/preview_self_evaluation.html", context)
    assert step.part is not None
    context["widgets"] = step_widgets(step.part, values={}, stored={}, evidence=[])
    return render(request, "authoring/preview_form.html", context)


@login_required
@require_GET
def preview_scoring(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    """The reviewer's scoring page for a first attempt with empty answers, in the policy's first seat."""
    shown = _previewed(request, slug, credential)
    if isinstance(shown, list):
        return _problems(request, slug, credential, shown)
    spec = shown.spec
    now = timezone.now()
    nobody = Redactor(User(name="", email="", organisation=""))
    view = ReviewerAttemptView(
        assignment_id=NO_ROW,
        assignment_state="open",
        due_at=now + timedelta(days=spec.review_policy.due_days),
        seat_title=seat_title(spec.review_policy.seats[0]),
        adjudicator=False,
        credential=spec.title,
        issuer=spec.issuer.name,
        attempt_number=1,
        version=shown.version.number,
        submitted_at=now,
        grade_band="",
        parts=parts_view(spec, {}, nobody),
        self_evaluation=[],
        evidence=[],
        copy_findings=[],
        rubric=rubric_view(spec),
        my_review_state=None,
        my_scores={},
    )
    context = scoring_context(view, spec)
    context["errors_saved"] = True
    context.update(_frame(request, slug, credential, shown, "scoring"))
    return render(request, "authoring/preview_scoring.html", context)
