"""The groups' forms: the platform admin's organisation and coordinator, the coordinator's invitation, filters
and voucher, and the educator's answer to an invitation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from catalog.models import Credential
from cohorts.models import Member, Organisation
from cohorts.selectors import STAGES, MemberFilters
from pages.issuers.forms import ServiceErrorsMixin
from sso.models import District

_EMAIL_ATTRS = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}


class OrganisationForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Enter the organisation's name")},
    )
    slug = forms.SlugField(
        label=gettext_lazy("Short name"),
        max_length=60,
        help_text=gettext_lazy("Lowercase letters, digits and hyphens; it names the group's address."),
        error_messages={
            "required": gettext_lazy("Enter a short name, such as lincoln-usd"),
            "invalid": gettext_lazy("Use only lowercase letters, digits and hyphens, such as lincoln-usd"),
        },
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=Organisation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose district, chapter or school")},
    )
    district = forms.ModelChoiceField(
        label=gettext_lazy("District sign-in"),
        queryset=District.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("None"),
        help_text=gettext_lazy("Optional: the district whose sign-in its educators use."),
    )
    coordinator_email = forms.EmailField(
        label=gettext_lazy("First coordinator's email address"),
        max_length=254,
        widget=forms.EmailInput(attrs=_EMAIL_ATTRS),
        help_text=gettext_lazy("The address of an existing account."),
        error_messages={
            "required": gettext_lazy("Enter the coordinator's email address"),
            "invalid": gettext_lazy("Enter an email address in the form name@example.org"),
        },
    )


class CoordinatorForm(ServiceErrorsMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        error_messages={"required": gettext_lazy("Choose the organisation")},
    )
    email = forms.EmailField(
        label=gettext_lazy("Coordinator's email address"),
        max_length=254,
        widget=forms.EmailInput(attrs=_EMAIL_ATTRS),
        error_messages={
            "required": gettext_lazy("Enter the coordinator's email address"),
            "invalid": gettext_lazy("Enter an email address in the form name@example.org"),
        },
    )


class InviteForm(ServiceErrorsMixin, forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Educator's email address"),
        max_length=254,
        widget=forms.EmailInput(attrs=_EMAIL_ATTRS),
        help_text=gettext_lazy("We email them a link to join; joining shares nothing until they choose to."),
        error_messages={
            "required": gettext_lazy("Enter the educator's email address"),
            "invalid": gettext_lazy("Enter an email address in the form name@example.org"),
        },
    )


class FilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or email contains"), required=False, max_length=100)
    credential = forms.ChoiceField(
        label=gettext_lazy("Credential"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a credential from the list")},
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a stage from the list")},
    )
    sharing = forms.ChoiceField(
        label=gettext_lazy("Sharing progress"),
        required=False,
        choices=[("", gettext_lazy("Everyone")), ("yes", gettext_lazy("Sharing")), ("no", gettext_lazy("Not sharing"))],
        error_messages={"invalid_choice": gettext_lazy("Choose everyone, sharing or not sharing")},
    )

    def __init__(self, *args: Any, credentials: list[Credential], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        credential = self.fields["credential"]
        stage = self.fields["stage"]
        assert isinstance(credential, forms.ChoiceField)
        assert isinstance(stage, forms.ChoiceField)
        credential.choices = [
            ("", gettext("Every credential")),
            *((c.slug, f"{c.title} ({c.issuer.name})") for c in credentials),
        ]
        stage.choices = [("", gettext("Every stage")), *((key, label) for key, (label, _s) in STAGES.items())]

    def filters(self) -> MemberFilters:
        if not self.is_bound or not self.is_valid():
            return MemberFilters()
        data = self.cleaned_data
        return MemberFilters(
            q=data["q"].strip(), credential=data["credential"], stage=data["stage"], sharing=data["sharing"]
        )


class VoucherForm(ServiceErrorsMixin, forms.Form):
    member = forms.ChoiceField(
        label=gettext_lazy("Member"),
        help_text=gettext_lazy("Only members who share their progress can be given a voucher."),
        error_messages={
            "required": gettext_lazy("Choose the member"),
            "invalid_choice": gettext_lazy("Choose a member who shares their progress"),
        },
    )
    credential = forms.ChoiceField(
        label=gettext_lazy("Credential"),
        error_messages={
            "required": gettext_lazy("Choose the credential"),
            "invalid_choice": gettext_lazy("Choose a published credential from the list"),
        },
    )

    def __init__(self, *args: Any, members: list[Member], credentials: list[Credential], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        credential = self.fields["credential"]
        assert isinstance(member, forms.ChoiceField)
        assert isinstance(credential, forms.ChoiceField)
        member.choices = [
            ("", "—"),
            *((str(m.pk), f"{m.educator.name} ({m.educator.email})") for m in members if m.educator),
        ]
        credential.choices = [("", "—"), *((c.slug, f"{c.title} ({c.issuer.name})") for c in credentials)]


class AcceptForm(forms.Form):
    share = forms.BooleanField(
        label=gettext_lazy("Also share my progress with the group's coordinators"),
        required=False,
        help_text=gettext_lazy(
            "They would see which credentials you started, submitted, had decided and earned, and when; never your "
            "answers or files. You can stop sharing at any time on your Groups page."
        ),
    )
