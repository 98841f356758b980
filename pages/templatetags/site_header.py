"""The site's header (templates/_site_header.html), drawn once per kind of visitor and section of the site and kept.

Every page draws the header, and drawing it (a dozen links reversed and labels translated, the language list) was a
third of what a small signed-in page cost. What it shows depends only on whether the visitor is signed in and is
staff, which section the page belongs to (the link marked as the current page) and the language; two values are
the visitor's own: the CSRF token of its two forms and the address the language form returns to. So it is kept
(core.fragments, whose key adds the language and the release) with both marked, and each response fills them in.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from core.fragments import CSRF_MARK, FRAGMENTS_VERSION, fragment_get, fragment_key, fragment_set

register = template.Library()

TEMPLATE = "_site_header.html"
# Stands for the address of the page (escaped per response), which the language form sends back to.
NEXT_MARK = "next-path-kept-header-" + hashlib.sha256(f"header.{FRAGMENTS_VERSION}".encode()).hexdigest()[:32]


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    request = context.get("request")
    token = context.get("csrf_token")
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    shown: dict[str, Any] = {
        "signed_in": signed_in,
        "staff": signed_in and bool(getattr(user, "is_staff", False)),
        "app_name": match.app_name if match else "",
        "url_name": match.url_name if match else "",
    }
    if request is None or token is None or str(token) == "NOTPROVIDED":
        # Drawn without a request (an e-mail or a bare error page): nothing per visitor to fill in, nothing kept.
        return render_to_string(TEMPLATE, {**shown, "csrf_token": token, "next_path": ""})
    key = fragment_key("site-header", *shown.values())
    html = fragment_get(key, str)
    if html is None:
        html = render_to_string(TEMPLATE, {**shown, "csrf_token": CSRF_MARK, "next_path": NEXT_MARK})
        fragment_set(key, html)
    # A page kept whole for anonymous visitors passes CSRF_MARK as its token: it stays marked, filled in later.
    filled = html.replace(CSRF_MARK, str(token)).replace(NEXT_MARK, conditional_escape(request.get_full_path()))
    return mark_safe(filled)  # noqa: S308 - drawn and escaped by our template, the path escaped here
