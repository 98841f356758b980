"""The district sign-in form: a work email address, or a district picked from the list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotFound
from sso.models import District
from sso.selectors import district_for_email, district_offered_get


class DistrictFindForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Work email address"),
        help_text=gettext_lazy("The address your school district gave you, such as name@district.example.org."),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # Set by the buttons of the district list; the email field is the other way in.
    # Any text: a hidden field's own error would show nowhere, so an unknown value is answered on the email field.
    district = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        slug, email = data.get("district"), data.get("email")
        found: District | None = None
        if slug:
            try:
                found = district_offered_get(slug=slug)
            except NotFound:
                self.add_error("email", _("That district does not offer sign-in here any more. Choose another."))
        elif email:
            found = district_for_email(email=email)
            if found is None:
                self.add_error(
                    "email",
                    _(
                        "No district signs in here with addresses at %(domain)s. Sign in with your password, or "
                        "choose your district from the list."
                    )
                    % {"domain": email.rpartition("@")[2]},
                )
        elif not self.has_error("email"):
            self.add_error("email", _("Enter your work email address, or choose your district from the list."))
        data["found"] = found
        return data
