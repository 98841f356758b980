"""Forms for people's own accounts. Every message names the field and says what to do next."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError

from accounts.models import AgeBracket, User
from accounts.services import password_reset_complete, password_reset_request

PASSWORD_HINT = (
    "At least 10 characters. Avoid common passwords, passwords made only of numbers, "
    "and anything close to your name or email address. A short sentence works well."
)
UNDER_13 = (
    "Thank you for wanting to join. microcred is for people aged 13 and over, so we cannot make an account for "
    "you yet. A teacher can tell you about other ways to take part until then."
)
MISMATCH = "The two passwords are not the same. Type the same password in both fields."


def _text(autocomplete: str, **attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, **attrs})


def _email() -> forms.EmailInput:
    return forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"})


def _password(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


class SignupForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=_text("name"),
        help_text="As it should appear on your credentials.",
        error_messages={"required": "Enter your full name."},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=_email(),
        help_text="We send a link to this address to confirm it is yours.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address in the form name@example.org.",
        },
    )
    organisation = forms.CharField(
        label="School or organisation (optional)",
        max_length=200,
        required=False,
        widget=_text("organization"),
    )
    age_bracket = forms.ChoiceField(
        label="Your age",
        choices=AgeBracket.choices,
        widget=forms.RadioSelect,
        help_text="Participants under 18 need a parent's or guardian's consent before they submit, and their "
        "credentials stay private unless that consent covers sharing them.",
        error_messages={"required": "Choose your age group.", "invalid_choice": "Choose one of the age groups."},
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=_password("new-password"),
        help_text=PASSWORD_HINT,
        error_messages={"required": "Enter a password."},
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": "Type your password again to confirm it."},
    )

    def clean_age_bracket(self) -> str:
        bracket = str(self.cleaned_data["age_bracket"])
        if bracket == AgeBracket.UNDER_13:
            raise ValidationError(UNDER_13, code="under_13")
        return bracket

    def clean_email(self) -> str:
        # No "already in use" here: that would tell anyone who has an account (accounts.services.user_signup).
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError(MISMATCH, code="password_mismatch"))
        if password1:
            # An unsaved user lets the similarity check compare the password with the name and email.
            candidate = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=_email(),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address in the form name@example.org.",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=_password("current-password"),
        error_messages={"required": "Enter your password."},
    )
    error_messages = {
        "invalid_login": "The email address or password is not right. Check both and try again, "
        "or reset your password.",
        "inactive": "This account has been closed. Contact the platform team if you think this is a mistake.",
    }

    def clean_username(self) -> str:
        # Lower-cased before authenticate(), so django-axes counts "Edna@x" and "edna@x" as one person.
        return str(self.cleaned_data["username"]).strip().lower()


class ResetRequestForm(PasswordResetForm):
    """Asks for the address; the link is sent through the notifications outbox, after commit."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=_email(),
        error_messages={
            "required": "Enter the email address you signed up with.",
            "invalid": "Enter an email address in the form name@example.org.",
        },
    )

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        password_reset_request(email=self.cleaned_data["email"])


class ResetSetPasswordForm(SetPasswordForm):
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=_password("new-password"),
        help_text=PASSWORD_HINT,
        error_messages={"required": "Enter a new password."},
    )
    new_password2 = forms.CharField(
        label="Confirm new password",
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": "Type your new password again to confirm it."},
    )
    error_messages = {"password_mismatch": MISMATCH}

    def clean(self) -> dict[str, Any]:
        # As the parent, but a weak password is reported on the field where it was typed.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self) or {}

    def save(self, commit: bool = True) -> Any:
        return password_reset_complete(user=self.user, password=self.cleaned_data["new_password1"])


class ChangePasswordForm(PasswordChangeForm):
    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=_password("current-password"),
        error_messages={"required": "Enter your current password."},
    )
    new_password1 = ResetSetPasswordForm.base_fields["new_password1"]
    new_password2 = ResetSetPasswordForm.base_fields["new_password2"]
    error_messages = {
        "password_mismatch": MISMATCH,
        "password_incorrect": "Your current password is not right. Type it again, or sign out and reset it.",
    }
    field_order = ["old_password", "new_password1", "new_password2"]

    def clean(self) -> dict[str, Any]:
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self) or {}


class ProfileForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=_text("name"),
        help_text="As it should appear on your credentials.",
        error_messages={"required": "Enter your full name."},
    )
    organisation = forms.CharField(
        label="School or organisation (optional)",
        max_length=200,
        required=False,
        widget=_text("organization"),
        help_text="Reviewers are never assigned work from their own school or organisation.",
    )


class AdminEmailAuthenticationForm(AdminAuthenticationForm):
    def clean_username(self) -> str:
        # As EmailAuthenticationForm: one spelling of an address for the password check and for django-axes.
        return str(self.cleaned_data["username"]).strip().lower()
