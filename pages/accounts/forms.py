"""Forms for people's own accounts (sign-in, sign-up and passwords: auth_forms.py). Every message names the field
and says what to do next."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _


def _text(autocomplete: str, **attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, **attrs})


def full_name_field() -> forms.CharField:
    """The name on one's credentials, as sign-up asks for it and the profile changes it."""
    return forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=_text("name"),
        help_text=_("As it should appear on your credentials."),
        error_messages={"required": _("Enter your full name.")},
    )


class ProfileForm(forms.Form):
    name = full_name_field()
    organisation = forms.CharField(
        label=_("School or organisation (optional)"),
        max_length=200,
        required=False,
        widget=_text("organization"),
        help_text=_("Reviewers are never assigned work from their own school or organisation."),
    )
    # Each language named in itself, so a person who cannot read the page's language still finds theirs.
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The one my browser asks for")), *settings.LANGUAGES],
        widget=forms.RadioSelect,
        help_text=_("The language of these pages and of the emails we send you."),
    )


class AdminEmailAuthenticationForm(AdminAuthenticationForm):
    def clean_username(self) -> str:
        # As the sign-in form (auth_forms.py): one spelling of an address for the password check and django-axes.
        return str(self.cleaned_data["username"]).strip().lower()
