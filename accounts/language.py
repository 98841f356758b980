"""A person's language for their pages and emails (User.language; applied by core.locale.UserLanguageMiddleware)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.errors import InvalidInput


def user_language_set(*, user: User, language: str) -> User:
    """Save the person's language ("" follows the browser); audited when it changes."""
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidInput.on("language", _("Choose one of the languages offered."))
    if user.language == language:
        return user
    with transaction.atomic():
        old = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit_record(action="user.language_changed", subject=user, actor=user, old=old, new=language)
    return user
