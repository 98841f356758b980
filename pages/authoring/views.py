"""An issuer admin's authoring pages: the issuer's credentials, a draft's overview, one editor page per section of
the definition (generated from the schema, see schema_forms), publishing, discarding, YAML export and import.

Thin: reads come through authoring.selectors (404 for anyone but the issuer's admins and platform admins),
changes through authoring.services.drafts (audited there). Saving an editor page keeps the draft whether or not
it validates; the page then shows every problem at its field, in the loader's own words.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from authoring import selectors
from authoring.models import CredentialDraft
from authoring.services.drafts import (
    DraftStale,
    definition_yaml,
    draft_discard,
    draft_import,
    draft_import_new,
    draft_new,
    draft_problems,
    draft_save,
    draft_start,
    identity_problems,
)
from catalog.loader import definition_validate
from core.errors import InvalidInput, InvalidState
from pages.authoring.forms import NewCredentialForm, PublishForm, YamlImportForm
from pages.authoring.schema_forms import form_build, input_id
from pages.authoring.schema_parse import action_apply, form_parse
from pages.authoring.sections import BY_SLUG, SECTIONS, EditorSection, section_for
from workflow.publishing import credential_publish


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required has run
    return request.user


def _url(name: str, **kwargs: Any) -> str | None:
    """A page of the preview module, when it is installed; None otherwise."""
    try:
        return reverse(f"authoring:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return None


def _grouped(problems: list[tuple[str, str]], slug: str, credential: str) -> list[dict[str, Any]]:
    """The problems per editor page, each linking to its field."""
    groups: dict[str, dict[str, Any]] = {}
    for path, message in problems:
        section = section_for(path)
        key = section.slug if section else ""
        group = groups.setdefault(
            key,
            {
                "title": section.title if section else gettext("The whole definition"),
                "url": reverse(
                    "authoring:draft_section", kwargs={"slug": slug, "credential": credential, "section": key}
                )
                if section
                else "",
                "problems": [],
            },
        )
        group["problems"].append({"path": path, "message": message, "anchor": input_id(path)})
    order = {s.slug: i for i, s in enumerate(SECTIONS)}
    return sorted(groups.values(), key=lambda g: order.get(g["url"].rstrip("/").rsplit("/", 1)[-1], -1))


def _counts(problems: list[tuple[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path, _ in problems:
        section = section_for(path)
        if section is not None:
            counts[section.slug] = counts.get(section.slug, 0) + 1
    return counts


def _nav(draft: CredentialDraft, problems: list[tuple[str, str]], current: str) -> list[dict[str, Any]]:
    counts = _counts(problems)
    return [
        {
            "slug": s.slug,
            "title": s.title,
            "problems": counts.get(s.slug, 0),
            "current": s.slug == current,
            "url": reverse(
                "authoring:draft_section",
                kwargs={"slug": draft.issuer.slug, "credential": draft.slug, "section": s.slug},
            ),
        }
        for s in SECTIONS
    ]


# ----- the issuer's credentials ----------------------------------------------------------------------


def _list_page(
    request: HttpRequest,
    slug: str,
    *,
    new_form: NewCredentialForm | None = None,
    import_form: YamlImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    issuer = selectors.issuer_get_for_author(user=request.user, slug=slug)
    drafts = selectors.drafts_for_author(issuer=issuer)
    by_credential = {d.credential_id: d for d in drafts if d.credential_id}
    rows = [
        {"credential": c, "draft": by_credential.get(c.pk)} for c in selectors.credentials_for_author(issuer=issuer)
    ]
    context = {
        "issuer": issuer,
        "rows": rows,
        "new_drafts": [d for d in drafts if d.credential_id is None],
        "new_form": new_form or NewCredentialForm(),
        "import_form": import_form or YamlImportForm(),
    }
    return render(request, "authoring/credentials.html", context, status=status)


@login_required
@require_GET
def credentials(request: HttpRequest, slug: str) -> HttpResponse:
    return _list_page(request, slug)


@login_required
@require_POST
def credential_new(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = selectors.issuer_get_for_author(user=request.user, slug=slug)
    form = NewCredentialForm(request.POST)
    if form.is_valid():
        try:
            draft = draft_new(
                actor=_user(request), issuer=issuer, slug=form.cleaned_data["slug"], title=form.cleaned_data["title"]
            )
        except InvalidInput as refusal:
            form.add_service_errors(list(refusal.errors))
        else:
            messages.success(
                request, f"A draft of {draft.definition['title']} is started. Fill in each section, then publish it."
            )
            return redirect("authoring:draft", slug=slug, credential=draft.slug)
    return _list_page(request, slug, new_form=form, status=422)


@login_required
@require_POST
def import_new(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = selectors.issuer_get_for_author(user=request.user, slug=slug)
    form = YamlImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            draft = draft_import_new(actor=_user(request), issuer=issuer, text=form.cleaned_data["yaml"])
        except (InvalidInput, InvalidState) as refusal:
            form.add_error("file", refusal.message)
        else:
            messages.success(
                request,
                gettext("The YAML is in the draft of %(slug)s. Check each section, then publish it.")
                % {"slug": draft.slug},
            )
            return redirect("authoring:draft", slug=slug, credential=draft.slug)
    return _list_page(request, slug, import_form=form, status=422)


@login_required
@require_POST
def draft_begin(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = selectors.credential_get_for_author(user=request.user, slug=slug, credential=credential)
    draft = draft_start(actor=_user(request), credential=found)
    return redirect("authoring:draft", slug=slug, credential=draft.slug)


# ----- a draft -------------------------------------------------------------------------------------------


def _overview(
    request: HttpRequest,
    draft: CredentialDraft,
    *,
    publish_form: PublishForm | None = None,
    import_form: YamlImportForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    problems = draft_problems(draft)
    current = draft.credential.current_version if draft.credential else None
    moved = current is not None and current.pk != draft.base_version_id
    kwargs = {"slug": draft.issuer.slug, "credential": draft.slug}
    context = {
        "draft": draft,
        "issuer": draft.issuer,
        "title": draft.definition.get("title") or draft.slug,
        "problems": problems,
        "groups": _grouped(problems, draft.issuer.slug, draft.slug),
        "nav": _nav(draft, problems, ""),
        "current": current,
        "moved": moved,
        "publish_form": publish_form or PublishForm(),
        "import_form": import_form or YamlImportForm(),
        "refusal": refusal,
        "preview_url": _url("preview", **kwargs),
        "preview_form_url": _url("preview_form", **kwargs),
        "preview_scoring_url": _url("preview_scoring", **kwargs),
        "diff_url": _url("diff", **kwargs) if draft.credential_id else None,
        "markers_url": _url("markers", **kwargs) if draft.credential_id else None,
    }
    return render(request, "authoring/draft.html", context, status=status)


@login_required
@require_GET
def draft(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = selectors.draft_find_for_author(user=request.user, slug=slug, credential=credential)
    if found is None:
        # No draft open: the credential's page offers to start one (404 when there is no such credential).
        existing = selectors.credential_get_for_author(user=request.user, slug=slug, credential=credential)
        return render(request, "authoring/draft_none.html", {"issuer": existing.issuer, "credential": existing})
    return _overview(request, found)


def _section_page(
    request: HttpRequest,
    draft: CredentialDraft,
    section: EditorSection,
    definition: dict[str, Any],
    *,
    revision: int,
    stale: str = "",
    status: int = 200,
) -> HttpResponse:
    _, problems = definition_validate(definition)
    problems = identity_problems(draft, definition) + problems
    here = [(p, m) for p, m in problems if section_for(p) is section]
    elsewhere = [(p, m) for p, m in problems if section_for(p) is not section]
    nodes, summary = form_build(definition, list(section.keys), here, opened=request.GET.get("open", ""))
    context = {
        "draft": draft,
        "issuer": draft.issuer,
        "title": definition.get("title") or draft.slug,
        "section": section,
        "nodes": nodes,
        "summary": summary,
        "elsewhere": _grouped(elsewhere, draft.issuer.slug, draft.slug),
        "elsewhere_count": len(elsewhere),
        "nav": _nav(draft, problems, section.slug),
        "revision": revision,
        "stale": stale,
    }
    return render(request, "authoring/section.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def draft_section(request: HttpRequest, slug: str, credential: str, section: str) -> HttpResponse:
    found = selectors.draft_get_for_author(user=request.user, slug=slug, credential=credential)
    page = BY_SLUG.get(section)
    if page is None:
        raise Http404("no such section")
    if request.method == "GET":
        return _section_page(request, found, page, found.definition, revision=found.revision)
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = -1
    definition = form_parse(request.POST, found.definition, list(page.keys))
    action = request.POST.get("_action", "save")
    opened = ""
    if action and action != "save":
        definition, opened = action_apply(definition, action[:1000], request.POST)
    # The slugs are fixed when a draft starts (never read from a form): restore them wherever the text lost them.
    definition["slug"] = found.slug
    if isinstance(definition.get("issuer"), dict):
        definition["issuer"]["slug"] = found.issuer.slug
    try:
        saved = draft_save(actor=_user(request), draft=found, definition=definition, revision=revision)
    except DraftStale as stale:
        # Nothing is saved, and nothing typed is lost: the page is drawn from what was posted, carrying the
        # newer revision, so saving again keeps these changes on purpose.
        return _section_page(request, found, page, definition, revision=stale.revision, stale=stale.message, status=409)
    url = reverse("authoring:draft_section", kwargs={"slug": slug, "credential": credential, "section": page.slug})
    if action == "save":
        _, problems = definition_validate(saved.definition)
        left = len(problems)
        messages.success(
            request,
            gettext("Saved (revision %(revision)s).") % {"revision": saved.revision}
            + " "
            + (
                ngettext(
                    "The draft has %(count)s problem to fix before it can be published.",
                    "The draft has %(count)s problems to fix before it can be published.",
                    left,
                )
                % {"count": left}
                if left
                else gettext("The draft is ready to publish.")
            ),
        )
        return redirect(url)
    return redirect(f"{url}?open={opened}#{input_id(opened)}" if opened else url)


@login_required
@require_POST
def draft_publish_view(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = selectors.draft_get_for_author(user=request.user, slug=slug, credential=credential)
    form = PublishForm(request.POST)
    overwrite = bool(form.is_valid() and form.cleaned_data["overwrite"])
    try:
        published = credential_publish(actor=_user(request), draft=found, overwrite=overwrite)
    except InvalidInput as refusal:
        return _overview(request, found, publish_form=form, refusal=refusal.message, status=422)
    except InvalidState as refusal:
        return _overview(request, found, publish_form=form, refusal=refusal.message, status=409)
    version = published.version
    if published.created:
        messages.success(
            request,
            gettext(
                "Version %(number)s of %(title)s is published. Submissions started before keep the version they "
                "started on."
            )
            % {"number": version.number, "title": version.credential.title},
        )
    else:
        messages.success(
            request, gettext("Nothing changed from version %(number)s, which is current.") % {"number": version.number}
        )
    return redirect("authoring:credentials", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def draft_discard_view(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = selectors.draft_get_for_author(user=request.user, slug=slug, credential=credential)
    if request.method == "POST":
        draft_discard(actor=_user(request), draft=found)
        messages.success(request, gettext("The draft of %(slug)s is discarded.") % {"slug": found.slug})
        return redirect("authoring:credentials", slug=slug)
    return render(request, "authoring/discard.html", {"draft": found, "issuer": found.issuer})


def _yaml_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_GET
def draft_export(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = selectors.draft_get_for_author(user=request.user, slug=slug, credential=credential)
    return _yaml_response(definition_yaml(found.definition), f"{found.slug}-draft-r{found.revision}.yaml")


@login_required
@require_GET
def version_export(request: HttpRequest, slug: str, credential: str, number: int) -> HttpResponse:
    version = selectors.version_get_for_author(user=request.user, slug=slug, credential=credential, number=number)
    return _yaml_response(definition_yaml(version.definition), f"{credential}-v{version.number}.yaml")


@login_required
@require_POST
def draft_import_view(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = selectors.draft_get_for_author(user=request.user, slug=slug, credential=credential)
    form = YamlImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            revision = int(request.POST.get("revision", ""))
        except ValueError:
            revision = -1
        try:
            draft_import(actor=_user(request), draft=found, text=form.cleaned_data["yaml"], revision=revision)
        except (InvalidInput, InvalidState) as refusal:
            form.add_error("file", refusal.message)
        else:
            messages.success(request, gettext("The YAML replaced the draft's text."))
            return redirect("authoring:draft", slug=slug, credential=credential)
    return _overview(request, found, import_form=form, status=422)
