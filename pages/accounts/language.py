"""The header's language switcher: Django's set_language (the cookie, the redirect back), and for a signed-in
person their saved preference too, since that wins over the cookie on every later request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.language import user_language_set
from accounts.models import User


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES) and request.user.is_authenticated and isinstance(request.user, User):
        user_language_set(user=request.user, language=language)
    # An unknown language leaves everything as it was: set_language only redirects back.
    return set_language(request)


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """The cookie LocaleMiddleware reads, kept in step with a saved preference so the choice outlives the session
    (signed out, the pages stay in it); a blank preference forgets it and the browser's language applies again."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


@receiver(user_logged_in, dispatch_uid="pages.accounts.language.language_carry_over")
def language_carry_over(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A language chosen with the switcher before signing in becomes the person's own when they have none yet, so
    their emails follow it too; a saved choice is never overwritten by a cookie."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "") if request is not None else ""
    if isinstance(user, User) and not user.language and chosen in dict(settings.LANGUAGES):
        user_language_set(user=user, language=chosen)
