"""The forms of allauth's sign-in, sign-up and password pages, in our words. Every message names the field and
says what to do next."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import AgeBracket, User
from accounts.services import password_reset_complete, password_reset_request
from pages.accounts.forms import full_name_field

PASSWORD_HINT = _(
    "At least 10 characters. Avoid common passwords, passwords made only of numbers, "
    "and anything close to your name or email address. A short sentence works well."
)
UNDER_13 = _(
    "Thank you for wanting to join. microcred is for people aged 13 and over, so we cannot make an account for "
    "you yet. A teacher can tell you about other ways to take part until then."
)
MISMATCH = _("The two passwords are not the same. Type the same password in both fields.")
EMAIL_INVALID = _("Enter an email address in the form name@example.org.")


def _text(autocomplete: str) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete})


def _email() -> forms.EmailInput:
    return forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"})


def _password(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


def _sign_in_email() -> forms.EmailField:
    return forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=_email(),
        error_messages={"required": _("Enter your email address."), "invalid": EMAIL_INVALID},
    )


class SignInForm(LoginForm):
    """allauth's sign-in form with the address in a field named `username`, as Django's and the admin's are, so
    django-axes, password managers and the pages' links to `#id_username` keep working."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        password = forms.CharField(
            label=_("Password"),
            strip=False,
            widget=_password("current-password"),
            error_messages={"required": _("Enter your password.")},
        )
        fields: dict[str, forms.Field] = self.fields
        fields.clear()
        fields.update({"username": _sign_in_email(), "password": password})

    def clean_username(self) -> str:
        # Lower-cased before authenticate(), so django-axes counts "Edna@x" and "edna@x" as one person.
        return str(self.cleaned_data["username"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        if "username" in self.cleaned_data:
            self.cleaned_data["login"] = self.cleaned_data["username"]
        elif not self._errors:
            return self.cleaned_data
        return super().clean()


class SignupForm(forms.Form):
    name = full_name_field()
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=_email(),
        help_text=_("We send a link to this address to confirm it is yours."),
        error_messages={"required": _("Enter your email address."), "invalid": EMAIL_INVALID},
    )
    organisation = forms.CharField(
        label=_("School or organisation (optional)"),
        max_length=200,
        required=False,
        widget=_text("organization"),
    )
    age_bracket = forms.ChoiceField(
        label=_("Your age"),
        choices=AgeBracket.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Participants under 18 need a parent's or guardian's consent before they submit, and their "
            "credentials stay private unless that consent covers sharing them."
        ),
        error_messages={"required": _("Choose your age group."), "invalid_choice": _("Choose one of the age groups.")},
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=_password("new-password"),
        help_text=PASSWORD_HINT,
        error_messages={"required": _("Enter a password.")},
    )
    password2 = forms.CharField(
        label=_("Confirm password"),
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": _("Type your password again to confirm it.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # allauth's sign-up view hands its forms the request; this one needs nothing from it.
        kwargs.pop("request", None)
        super().__init__(*args, **kwargs)

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


class ResetRequestForm(forms.Form):
    """Asks for the address; the link is sent through the notifications outbox, after commit."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=_email(),
        error_messages={"required": _("Enter the email address you signed up with."), "invalid": EMAIL_INVALID},
    )

    def save(self, request: Any = None, **kwargs: Any) -> str:
        email = str(self.cleaned_data["email"])
        password_reset_request(email=email)
        return email


class ResetSetPasswordForm(SetPasswordForm):
    """The new password on allauth's reset page (which hands over `user` and `temp_key`)."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=_password("new-password"),
        help_text=PASSWORD_HINT,
        error_messages={"required": _("Enter a new password.")},
    )
    new_password2 = forms.CharField(
        label=_("Confirm new password"),
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": _("Type your new password again to confirm it.")},
    )
    error_messages = {"password_mismatch": MISMATCH}

    def __init__(self, *args: Any, user: Any = None, temp_key: str | None = None, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        # As the parent, but a weak password is reported on the field where it was typed.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self) or {}

    def save(self, commit: bool = True) -> Any:
        return password_reset_complete(user=self.user, password=self.cleaned_data["new_password1"])


class ChangePasswordForm(PasswordChangeForm):
    """The current and a new password on allauth's change page (which hands over `user`)."""

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=_password("current-password"),
        error_messages={"required": _("Enter your current password.")},
    )
    new_password1 = ResetSetPasswordForm.base_fields["new_password1"]
    new_password2 = ResetSetPasswordForm.base_fields["new_password2"]
    error_messages = {
        "password_mismatch": MISMATCH,
        "password_incorrect": _("Your current password is not right. Type it again, or sign out and reset it."),
    }
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self) or {}
