"""The gallery's forms: the earner's consent and the issuer's curation, labelled and worded for the reader."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from gallery.consent import CONSENT_LABEL
from gallery.services import NOTE_MAX


class OfferForm(forms.Form):
    consent = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={
            "required": gettext_lazy(
                "Tick the box to agree to the statement, or leave this page to keep your submission unpublished"
            )
        },
    )


class CurationForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Your decision"),
        choices=[
            ("publish", gettext_lazy("Publish it in the credential's gallery")),
            ("decline", gettext_lazy("Decline it (it is not shown)")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether to publish or decline this example")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        help_text=gettext_lazy("Kept with the decision; the earner is told it when their example is published."),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": gettext_lazy("Shorten the note to %(limit_value)d characters or fewer")},
    )
