"""What a browser would post for a form on a page: read from the page's real HTML with lxml."""

from __future__ import annotations

from typing import Any

import lxml.html
from django.test import Client
from django.urls import reverse

from accounts.models import User
from authoring.models import CredentialDraft
from pages.authoring.sections import SECTIONS


def form_fields(html: bytes | str, selector: str = "form.schema-form") -> list[tuple[str, str]]:
    """The (name, value) pairs the form would submit, without any button's."""
    doc = lxml.html.fromstring(html)
    [form] = doc.xpath(f"//form[contains(concat(' ', @class, ' '), ' {selector.split('.')[-1]} ')]")
    pairs: list[tuple[str, str]] = []
    for element in form.iter("input", "select", "textarea"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "input":
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "file"}:
                continue
            if kind in {"checkbox", "radio"}:
                if element.get("checked") is not None:
                    pairs.append((name, element.get("value") or "on"))
                continue
            pairs.append((name, element.get("value") or ""))
        elif element.tag == "select":
            chosen = [o for o in element.iter("option") if o.get("selected") is not None]
            options = list(element.iter("option"))
            if chosen or options:
                pairs.append((name, (chosen or options)[0].get("value") or ""))
        else:
            pairs.append((name, element.text_content() if element.text is not None else ""))
    return pairs


def section_url(draft: CredentialDraft, section: str) -> str:
    return reverse(
        "authoring:draft_section", kwargs={"slug": draft.issuer.slug, "credential": draft.slug, "section": section}
    )


def post_section(
    client: Client, draft: CredentialDraft, section: str, changes: dict[str, str] | None = None, action: str = "save"
) -> Any:
    """Open an editor page, change some inputs as a person would, and press a button."""
    page = client.get(section_url(draft, section))
    assert page.status_code == 200, page.content[:500]
    pairs = [(n, v) for n, v in form_fields(page.content) if n not in (changes or {})]
    pairs += list((changes or {}).items())
    data: dict[str, list[str]] = {}
    for name, value in [*pairs, ("_action", action)]:
        data.setdefault(name, []).append(value)
    return client.post(section_url(draft, section), data)


def save_every_section(client: Client, draft: CredentialDraft) -> None:
    for section in SECTIONS:
        response = post_section(client, draft, section.slug)
        assert response.status_code == 302, (section.slug, response.content[:2000])


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
