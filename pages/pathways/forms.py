"""The issuer admin's pathway form. The form checks shapes; pathways.services.pathway_save checks the rules
(the issuer's own credentials, N from 1 to the number chosen) and its refusals are shown beside the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from catalog.models import Credential
from pathways.models import Rule
from pathways.services import DESCRIPTION_MAX, TITLE_MAX, PathwayInput


class PathwayForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=TITLE_MAX,
        error_messages={
            "required": gettext_lazy("Give the pathway a title"),
            "max_length": gettext_lazy("Shorten the title to 200 characters or fewer"),
        },
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What the pathway is for. It is signed into the pathway's credential."),
        error_messages={
            "required": gettext_lazy("Say what the pathway is for, in a sentence or two"),
            "max_length": gettext_lazy("Shorten the description to 2000 characters or fewer"),
        },
    )
    credentials = forms.MultipleChoiceField(
        label=gettext_lazy("Credentials"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Your credentials that make up the pathway."),
        error_messages={
            "required": gettext_lazy("Choose at least one of your credentials"),
            "invalid_choice": gettext_lazy("Choose credentials from the list"),
        },
    )
    rule = forms.ChoiceField(
        label=gettext_lazy("What earns it"),
        choices=Rule.choices,
        widget=forms.RadioSelect,
        initial=Rule.ALL,
        error_messages={"required": gettext_lazy("Choose whether all of the credentials are needed, or a number")},
    )
    required_count = forms.IntegerField(
        label=gettext_lazy("How many are needed"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Only for “a number of its credentials”: from 1 to the number chosen above."),
        error_messages={
            "invalid": gettext_lazy("Enter a whole number, such as 2"),
            "min_value": gettext_lazy("Enter at least 1"),
        },
    )
    is_published = forms.BooleanField(
        label=gettext_lazy("Published: educators see it and can earn it"),
        required=False,
    )

    def __init__(self, *args: Any, credentials: list[Credential], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["credentials"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(c.pk), c.title) for c in credentials]

    def to_input(self) -> PathwayInput:
        data = self.cleaned_data
        return PathwayInput(
            title=data["title"],
            description=data["description"],
            credential_ids=[int(pk) for pk in data["credentials"]],
            rule=data["rule"],
            required_count=data.get("required_count"),
            is_published=bool(data.get("is_published")),
        )
