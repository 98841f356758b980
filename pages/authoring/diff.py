"""A credential's versions, and what changed between any two of them or between the current version and the
draft: path by path from the definitions' data (authoring.diff) and as a unified YAML diff. For the credential's
issuer's admins and platform admins (404 for anyone else)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from authoring import history
from authoring.diff import definition_diff, yaml_diff
from authoring.selectors import credential_get_for_author


@login_required
@require_GET
def versions(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = credential_get_for_author(user=request.user, slug=slug, credential=credential)
    rows = history.versions_list(credential=found)
    context = {
        "credential": found,
        "issuer": found.issuer,
        "versions": rows,
        "draft": history.draft_of(credential=found),
        "default_pair": history.default_pair(credential=found),
    }
    return render(request, "authoring/versions.html", context)


@login_required
@require_GET
def diff(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = credential_get_for_author(user=request.user, slug=slug, credential=credential)
    pair = history.default_pair(credential=found)
    old_key = request.GET.get("from") or (pair[0] if pair else "")
    new_key = request.GET.get("to") or (pair[1] if pair else "")
    old = history.text_get(credential=found, key=old_key)
    new = history.text_get(credential=found, key=new_key)
    changes = definition_diff(old.definition, new.definition)
    context = {
        "credential": found,
        "issuer": found.issuer,
        "old": old,
        "new": new,
        "changes": changes,
        "lines": yaml_diff(old.definition, new.definition, old_name=old.name, new_name=new.name) if changes else [],
        "versions": history.versions_list(credential=found),
        "has_draft": history.draft_of(credential=found) is not None,
    }
    return render(request, "authoring/diff.html", context)
