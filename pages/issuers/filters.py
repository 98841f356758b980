"""The filter form an issuer admin's figures share (dashboard, reviewer agreement): dates, credential and version,
read from the query string. A filter that cannot be used is named at its field and left out; the rest apply."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from catalog.schema import SLUG

DATE_MESSAGE = gettext_lazy("Enter a date as YYYY-MM-DD, for example 2026-03-01.")


class IssuerFiltersForm(forms.Form):
    """`from` is a Python keyword, so the fields are made in __init__. A page sets which query-string name fills which
    field of its selector's filters (`filter_fields`, in the order the fields are shown) and the dates' wording."""

    filter_fields: ClassVar[dict[str, str]] = {}
    date_labels: ClassVar[tuple[Any, Any]] = (pgettext_lazy("date filter", "From"), pgettext_lazy("date filter", "To"))
    to_help: ClassVar[Any] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        made: dict[str, forms.Field] = {
            "credential": forms.RegexField(
                label=gettext_lazy("Credential"),
                regex=SLUG,
                max_length=80,
                required=False,
                widget=forms.Select,
                error_messages={
                    "invalid": gettext_lazy("Choose a credential from the list."),
                    "max_length": gettext_lazy("Choose a credential from the list."),
                },
            ),
            "version": forms.IntegerField(
                label=gettext_lazy("Version"),
                required=False,
                min_value=1,
                max_value=1_000_000,
                widget=forms.Select,
                error_messages={"invalid": gettext_lazy("Choose a version from the list (a whole number).")},
            ),
        }
        for name, label, help_text in (("from", self.date_labels[0], ""), ("to", self.date_labels[1], self.to_help)):
            made[name] = forms.DateField(
                label=label,
                required=False,
                widget=date,
                input_formats=["%Y-%m-%d"],
                help_text=help_text,
                error_messages={"invalid": DATE_MESSAGE},
            )
        for name in self.filter_fields:
            self.fields[name] = made[name]

    def values(self) -> dict[str, Any]:
        """The filters that could be read, by the selector's names, without those with an error."""
        cleaned = getattr(self, "cleaned_data", {})
        return {
            attribute: cleaned.get(name)
            for name, attribute in self.filter_fields.items()
            if name not in self.errors and cleaned.get(name) not in (None, "")
        }
