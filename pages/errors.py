"""The pages' one mapping of the error hierarchy to HTML.

A view handles the refusals it can answer in place (a field error shown beside its field, a conflict
with both texts); any MicrocredError it lets through reaches this middleware and becomes a page with the
error's status and its message, written for the person who acted. The API maps the same hierarchy to
JSON in api/api.py; requests to the API never come here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.errors import MicrocredError, NotFound

TITLES = {
    403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Page not found"),
    409: gettext_lazy("This cannot be done now"),
    410: pgettext_lazy("an error page's title", "Withdrawn"),
    413: gettext_lazy("Too large"),
    422: gettext_lazy("Check what you entered"),
    429: gettext_lazy("Please wait"),
}


class ErrorPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, MicrocredError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            return render(request, "404.html", status=404)
        status = exception.status_code
        context = {"title": TITLES.get(status, gettext_lazy("This cannot be done")), "message": exception.message}
        return render(request, "error.html", context, status=status)
