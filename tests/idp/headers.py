"""The headers microcred's browser tests ask of every page they load, the provider's own pages included."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# No form-action: the provider's sign-in form ends, through redirects, at the relying party's callback.
POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'"


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response["Content-Security-Policy"] = POLICY
        response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        return response

    return middleware


def stylesheet(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "body{font:1rem/1.5 sans-serif;margin:1rem}input,button{font:inherit;min-height:2.75rem;margin:.25rem 0}",
        content_type="text/css",
    )
