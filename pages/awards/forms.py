"""The awards forms: what each asks, and its labels and errors in the reader's terms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from awards.models import ApplicationStatus, Partner, PartnerOffer, Visibility
from awards.verify import MAX_INPUT
from pages.templatetags.award_pages import graduate_credits

MAX_UPLOAD = MAX_INPUT


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can see this credential's page"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for revoking"),
        help_text=gettext_lazy("The earner is told this reason. It is kept in the audit log."),
        min_length=5,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("Enter the reason for revoking"),
            "min_length": gettext_lazy("Give the reason in a few words"),
        },
    )


class VerifyForm(forms.Form):
    credential = forms.CharField(
        label=gettext_lazy("Paste a credential (JSON or JWT)"),
        required=False,
        max_length=MAX_UPLOAD,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    image = forms.FileField(
        label=gettext_lazy("Or upload a baked badge image (PNG or SVG)"),
        required=False,
        help_text=gettext_lazy("Up to 2 MB. The credential is read from inside the image."),
    )

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if image is not None and image.size > MAX_UPLOAD:
            raise forms.ValidationError(gettext("The image is larger than 2 MB; upload the badge image itself"))
        return image

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("credential") or "").strip() and not data.get("image"):
            self.add_error("credential", gettext("Paste a credential, or upload a baked badge image below"))
        return data

    def payload(self) -> str | bytes:
        image = self.cleaned_data.get("image")
        if image is not None:
            return bytes(image.read())
        return str(self.cleaned_data["credential"])


class OfferChoiceField(forms.ModelChoiceField):
    """Partners labelled with what each grants for this credential."""

    terms: dict[int, PartnerOffer] = {}

    def label_from_instance(self, obj: Any) -> str:
        offer = self.terms[obj.pk]
        return gettext("%(name)s: %(credits)s, fee $%(fee)s") % {
            "name": obj.name,
            "credits": graduate_credits(offer.credits),
            "fee": f"{offer.fee_usd:.2f}",
        }


class ApplicationForm(forms.Form):
    partner = OfferChoiceField(
        label=gettext_lazy("University"),
        queryset=Partner.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the university to apply to")},
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the university (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, offers: list[PartnerOffer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, OfferChoiceField)
        field.queryset = Partner.objects.filter(pk__in=[o.partner_id for o in offers])
        field.terms = {o.partner_id: o for o in offers}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (ApplicationStatus.ACCEPTED, gettext_lazy("Accepted: the university will award credit")),
            (ApplicationStatus.CREDIT_AWARDED, gettext_lazy("Credit awarded")),
            (ApplicationStatus.DECLINED, gettext_lazy("Declined")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a decision")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the earner"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Required when declining: say why."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PartnerStaffInviteForm(forms.Form):
    """An issuer admin adds a person, by email, to the staff of a university that offers the issuer's credit."""

    partner = forms.ModelChoiceField(
        label=gettext_lazy("University"),
        queryset=Partner.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the university the person works for")},
    )
    name = forms.CharField(
        label=gettext_lazy("Their name"),
        max_length=150,
        error_messages={"required": gettext_lazy("Enter the person's name")},
    )
    email = forms.EmailField(
        label=gettext_lazy("Their email address"),
        max_length=254,
        help_text=gettext_lazy(
            "Someone without an account here gets one, and an email with a link to choose its password."
        ),
        error_messages={
            "required": gettext_lazy("Enter the person's email address"),
            "invalid": gettext_lazy("Enter an email address such as name@university.edu"),
        },
    )

    def __init__(self, *args: Any, partners: list[Partner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Partner.objects.filter(pk__in=[p.pk for p in partners])
        if len(partners) == 1:
            field.initial = partners[0].pk
