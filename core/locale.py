"""The platform's languages: a signed-in person's saved choice, and the catalogs compiled without GNU gettext.

Django reads compiled .mo files; `manage.py compilemessages` needs GNU gettext's msgfmt, which a fresh machine
may lack. polib (pure Python) writes the same .mo from each .po, leaving out fuzzy entries as msgfmt does.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import polib  # type: ignore[import-untyped]
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    """Activates a signed-in person's saved language for the request, over the cookie and the browser's.

    After LocaleMiddleware (which chose from the cookie or Accept-Language) and AuthenticationMiddleware;
    a blank preference leaves LocaleMiddleware's choice standing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        # LocaleMiddleware, outside this one, sets Content-Language and Vary from the language active here.
        return self.get_response(request)


# How the catalogs are brought up to date with the code (`manage.py update_translations`, and the test that holds
# the catalogs to the code runs the same): templates (.html, and the emails' .txt) and Python, never the tests.
MAKEMESSAGES_OPTIONS: dict[str, object] = {
    "locale": ["es"],
    "extensions": ["html", "txt", "py"],
    "ignore_patterns": ["tests/*", "bench/*", "var/*", "static/*", "locale/*"],
    "no_obsolete": True,
    "add_location": "file",
    "verbosity": 0,
}


def catalog_paths() -> list[Path]:
    """Every .po file of our own catalogs."""
    return sorted(po for root in settings.LOCALE_PATHS for po in Path(root).glob("*/LC_MESSAGES/*.po"))


def catalogs_compile(*, paths: Iterable[Path] | None = None, force: bool = False) -> list[Path]:
    """Writes each catalog's .mo beside its .po where it is missing or older; returns the ones written."""
    written = []
    for po_path in catalog_paths() if paths is None else paths:
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        # Written beside and renamed into place: test workers and servers starting at once never read half a file.
        with tempfile.NamedTemporaryFile(dir=mo_path.parent, suffix=".mo.tmp", delete=False) as out:
            out.write(polib.pofile(str(po_path)).to_binary())
        os.replace(out.name, mo_path)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    # `python -m core.locale`: the install step's compile without starting Django's apps (a second, not five).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")
    for written_path in catalogs_compile():
        print(f"Compiled {written_path}")
