"""django-csp's middleware, with the Content-Security-Policy of the settings built once per process.

django-csp builds the header for every response: it copies the policy parts of the response into a dict and
joins every directive of the settings again. The site's policy has no nonce (nothing inline) and only the API's
docs page changes it per response (api/api.py), so almost every response carried a header rebuilt from the very
same settings: 37 µs a response measured here, 6-7% of the time of the lightest view the site serves. The header
is now built once from the settings and kept until a setting named CONTENT_SECURITY_POLICY* changes (tests change
it with override_settings). Anything that makes a response's policy its own (a decorator's config, update or
replace, for the enforced policy or the report-only one, or a nonce a template asked for) goes through
django-csp's own code, unchanged; so do the exemptions, which are read per response as django-csp reads them.
"""

from __future__ import annotations

import http.client
from functools import cache
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

# What makes a response's policy its own (csp.decorators sets these on a response).
PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


@cache
def settings_headers() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """Each header django-csp would write from the settings alone (no per-response parts, no nonce): its name, its
    value, the response attribute that exempts a response from it, and the path prefixes it leaves out."""
    headers = []
    for header, report_only, exempt, setting in (
        (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
        (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
    ):
        policy = build_policy(report_only=report_only)
        if policy:
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            headers.append((header, str(policy), exempt, tuple(prefixes)))
    return tuple(headers)


@receiver(setting_changed)
def _forget_policy(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        settings_headers.cache_clear()


class CSPMiddleware(LibraryCSPMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        own = getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in PER_RESPONSE
        )
        if own:
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND):
            return response  # django-csp leaves Django's debug pages alone
        for header, policy, exempt, prefixes in settings_headers():
            exempted = getattr(response, exempt, False) is not False or request.path_info.startswith(prefixes)
            if header not in response and not exempted:
                response[header] = policy
        # As django-csp does: a nonce asked for after the header was written could not be in it.
        # (setattr: HttpRequest declares no csp_nonce, django-csp adds it.)
        setattr(request, "csp_nonce", CheckableLazyObject(self._csp_nonce_post_response))  # noqa: B010
        return response
