"""Which of the installed apps' static files production collects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.staticfiles.finders import AppDirectoriesFinder

# What installed apps ship and no page loads: ninja's Redoc bundle (the API docs page is Swagger UI), django-htmx's
# htmx 4 and its extensions (the pages load htmx 2, minified) and its debug script, and the unminified copies of the
# admin's vendored scripts. The last two are loaded only with DEBUG on, which production refuses.
UNUSED = (
    "ninja/redoc*",
    "django_htmx/ext/*",
    "django_htmx/django-htmx.js",
    "django_htmx/htm*x-4*",
    "django_htmx/htmx-2.js",
    "admin/js/vendor/jquery/jquery.js",
    "admin/js/vendor/select2/select2.full.js",
    "admin/js/vendor/xregexp/xregexp.js",
)


class UsedAppFilesFinder(AppDirectoriesFinder):
    """The apps' static folders, as Django's finder reads them, less what no page loads (UNUSED).

    Production collects into hashed copies, each also compressed with Brotli and gzip at their slowest settings, on
    every deploy: the files above were more than half of that work. Only the listing collectstatic walks leaves them
    out; a request for one by name (the development server, the test live server) still finds it."""

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, Any]]:
        yield from super().list([*(ignore_patterns or []), *UNUSED])
