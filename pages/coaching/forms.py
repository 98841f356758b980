"""The coaching forms: the educator shares a draft, the coach comments on an answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from coaching.models import CoachRole
from coaching.services import COMMENT_MAX
from core.errors import FieldError
from pages.service_errors import form_errors_add


class _ServiceErrors:
    def add_service_errors(self, errors: Sequence[FieldError]) -> None:
        """A refusal from a service, shown at the field it names (or above the form)."""
        form: Any = self
        form_errors_add(form, errors)


class ShareForm(_ServiceErrors, forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your coach's email address"),
        max_length=254,
        help_text=gettext_lazy(
            "Someone with an account here sees the draft at once; anyone else is emailed a link that works once."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
        error_messages={
            "required": gettext_lazy("Enter your coach's email address"),
            "invalid": gettext_lazy("Enter an email address in the form name@example.org"),
        },
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Who is this coach to you?"),
        choices=CoachRole.choices,
        initial=CoachRole.MENTOR,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose who the coach is"),
            "invalid_choice": gettext_lazy("Choose who the coach is"),
        },
    )
    files_allowed = forms.BooleanField(
        label=gettext_lazy("Let this coach open my evidence files"),
        required=False,
        help_text=gettext_lazy(
            "Files you marked as showing students are never shown to a coach, and neither are answers that hold "
            "student data. You can change this later."
        ),
    )


class CommentForm(_ServiceErrors, forms.Form):
    field = forms.CharField(widget=forms.HiddenInput, max_length=130)
    body = forms.CharField(
        label=gettext_lazy("Your comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("Write your comment before sending it"),
            "max_length": gettext_lazy(
                "Keep the comment to %(limit_value)d characters or fewer (it has %(show_value)d)"
            ),
        },
    )
