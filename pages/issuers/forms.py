"""The issuer admin's forms for reviewers (inviting, pausing, capacity) and the invitee's form to accept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from accounts.models import ReviewerRole, User
from accounts.reviewer_roles import CAPACITY_MAX, PAUSE_REASON_MAX
from catalog.schema import GRADE_BANDS
from core.errors import FieldError
from pages.service_errors import form_errors_add

# The services name a field as the API does; the forms' own names differ where a page says it otherwise.
_SERVICE_FIELDS = {"kinds": "kind"}


class ServiceErrorsMixin:
    def add_service_errors(self, errors: Sequence[FieldError]) -> None:
        """A refusal from a service, shown at the field it names (or above the form)."""
        form: Any = self
        form_errors_add(form, errors, _SERVICE_FIELDS)


class RoleGrantForm(ServiceErrorsMixin, forms.Form):
    """Invite a person by email address to review with one or more roles: an account is given them at once, an
    address with none is sent an invitation to accept."""

    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=254,
        help_text=gettext_lazy("Their account's email address, or the address to send an invitation to."),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
        error_messages={
            "required": gettext_lazy("Enter the email address of the person's account"),
            "invalid": gettext_lazy("Enter an email address in the form name@example.org"),
        },
    )
    kind = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"),
        choices=ReviewerRole.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("One or more. Each role chosen gets the grade bands below."),
        error_messages={
            "required": gettext_lazy("Choose the role: issuer staff, mentor or lead assessor"),
            "invalid_choice": gettext_lazy("Choose issuer staff, mentor or lead assessor"),
        },
    )
    grade_bands = forms.MultipleChoiceField(
        label=gettext_lazy("Grade bands"),
        choices=list(GRADE_BANDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "The grade bands this person judges in these roles. A seat that matches grade bands (such as a "
            "grade-band mentor's) takes them only for submissions in one of these bands."
        ),
        error_messages={"invalid_choice": gettext_lazy("Choose grade bands from the list")},
    )
    name = forms.CharField(
        label=gettext_lazy("Their name, if they have no account yet"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Only for someone new to the platform: we email them an invitation to accept, which makes their "
            "account. Leave it empty for someone who already has an account."
        ),
        error_messages={"max_length": gettext_lazy("Keep the name to 150 characters or fewer")},
    )

    field_order = ["email", "name", "kind", "grade_bands"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email = cleaned.get("email")
        if not email:
            return cleaned
        user = User.objects.filter(email=email).first()
        if user is None and not cleaned.get("name", "").strip():
            signup = reverse("accounts:signup")
            self.add_error(
                "email",
                gettext(
                    "No account uses %(email)s. To invite them, enter their name below and we email them an "
                    "invitation; or ask them to sign up at %(signup)s first. Nothing was changed."
                )
                % {"email": email, "signup": signup},
            )
        elif user is not None and not user.is_active:
            self.add_error(
                "email",
                gettext("The account %(email)s is closed, so it cannot be given a reviewer role.") % {"email": email},
            )
        cleaned["user"] = user
        return cleaned

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class PauseForm(ServiceErrorsMixin, forms.Form):
    until = forms.DateField(
        label=gettext_lazy("Resume automatically on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "Optional. From this day new reviews may go to them again. Empty: until you resume them."
        ),
        error_messages={"invalid": gettext_lazy("Enter a date such as 2027-01-31")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=PAUSE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Optional. Kept in the reviewer's history; the reviewer is not told it."),
        error_messages={
            "max_length": format_lazy(
                gettext_lazy("Keep the reason to {count} characters or fewer"), count=PAUSE_REASON_MAX
            )
        },
    )

    def clean_until(self) -> Any:
        until = self.cleaned_data.get("until")
        if until is not None and until <= timezone.localdate():
            raise forms.ValidationError(
                gettext("Choose a day after today, or leave it empty to pause until you resume them")
            )
        return until


class CapacityForm(ServiceErrorsMixin, forms.Form):
    capacity = forms.IntegerField(
        label=gettext_lazy("Capacity"),
        min_value=0,
        max_value=CAPACITY_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=gettext_lazy(
            "The most open reviews they hold at once, counted at every issuer they review for. 0 gives them "
            "no new reviews anywhere."
        ),
        error_messages={
            "required": gettext_lazy("Enter how many open reviews they may hold at once"),
            "invalid": format_lazy(gettext_lazy("Enter a whole number from 0 to {most}"), most=CAPACITY_MAX),
            "min_value": format_lazy(gettext_lazy("Enter a whole number from 0 to {most}"), most=CAPACITY_MAX),
            "max_value": format_lazy(gettext_lazy("Enter a whole number from 0 to {most}"), most=CAPACITY_MAX),
        },
    )


class InviteAcceptForm(ServiceErrorsMixin, forms.Form):
    """The invitee makes their account: a name and a password (the emailed link has proved the address)."""

    name = forms.CharField(
        label=gettext_lazy("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": gettext_lazy("Enter your full name."),
            "max_length": gettext_lazy("Keep your name to 150 characters."),
        },
    )
    password = forms.CharField(
        label=gettext_lazy("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "At least 10 characters. Avoid common passwords, passwords made only of numbers, and anything close "
            "to your name or email address. A short sentence works well."
        ),
        error_messages={"required": gettext_lazy("Choose a password.")},
    )
    password_again = forms.CharField(
        label=gettext_lazy("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Type your password again to confirm it.")},
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again and password != again:
            self.add_error(
                "password_again", gettext("The two passwords are not the same. Type the same password in both.")
            )
        elif password:
            try:
                password_validation.validate_password(password, User(email=self.email, name=cleaned.get("name") or ""))
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
