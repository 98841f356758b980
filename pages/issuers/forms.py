"""The issuer admin's forms for reviewer roles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.urls import reverse

from accounts.models import ReviewerRole, User
from catalog.schema import GRADE_BANDS
from core.errors import FieldError


class RoleGrantForm(forms.Form):
    """Give a person (an existing account, named by email address) a reviewer role at the issuer."""

    email = forms.EmailField(
        label="Email address",
        help_text="The email address of the person's account on this platform.",
        error_messages={
            "required": "Enter the email address of the person's account",
            "invalid": "Enter an email address in the form name@example.org",
        },
    )
    kind = forms.ChoiceField(
        label="Role",
        choices=ReviewerRole.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the role: issuer staff, mentor or lead assessor",
            "invalid_choice": "Choose issuer staff, mentor or lead assessor",
        },
    )
    grade_bands = forms.MultipleChoiceField(
        label="Grade bands",
        choices=list(GRADE_BANDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=(
            "The grade bands this person judges in this role. A seat that matches grade bands (such as a "
            "grade-band mentor's) takes them only for submissions in one of these bands."
        ),
        error_messages={"invalid_choice": "Choose grade bands from the list"},
    )

    name = forms.CharField(
        label="Their name, if they have no account yet",
        required=False,
        max_length=150,
        help_text=(
            "Only for someone new to the platform: we make their account and email them a link to choose a "
            "password. Leave it empty for someone who already has an account."
        ),
        error_messages={"max_length": "Keep the name to 150 characters or fewer"},
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
                f"No account uses {email}. To invite them, enter their name below and we make the account and "
                f"email them; or ask them to sign up at {signup} first. Nothing was changed.",
            )
        elif user is not None and not user.is_active:
            self.add_error("email", f"The account {email} is closed, so it cannot be given a reviewer role.")
        cleaned["user"] = user
        return cleaned

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def add_service_errors(self, errors: Sequence[FieldError]) -> None:
        """A refusal from the service, shown at the field it names (or above the form)."""
        for error in errors:
            self.add_error(error.field if error.field in self.fields else None, error.message)

    def grantee(self) -> User | None:
        """The account named by the email address; None when the person is to be invited."""
        user: User | None = self.cleaned_data.get("user")
        return user
