from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.schema import GRADE_BANDS
from catalog.selectors import MAX_QUERY_LENGTH, CatalogFacets, CatalogFilters


class CatalogFilterForm(forms.Form):
    """The list page's search and filters; choices come from what is published, so a stale link is told so."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.SearchInput,
        help_text=_("Words from the title, summary, issuer, competency or standards."),
        error_messages={"max_length": _("Search for at most %(limit_value)d characters; you typed %(show_value)d.")},
    )
    issuer = forms.ChoiceField(
        label=_("Issuer"),
        required=False,
        error_messages={
            "invalid_choice": _("Choose an issuer from the list; “%(value)s” does not publish credentials here.")
        },
    )
    standard = forms.ChoiceField(
        label=_("Standard"),
        required=False,
        error_messages={
            "invalid_choice": _("Choose a standard from the list; no credential is aligned to “%(value)s”.")
        },
    )
    grade_band = forms.ChoiceField(
        label=_("Grade band"),
        required=False,
        choices=[("", _("Any grade band")), *((band, _(label)) for band, label in GRADE_BANDS.items())],
        error_messages={
            "invalid_choice": format_lazy(
                _("Choose a grade band from the list ({bands}); “%(value)s” is not one of them."),
                bands=lazy(lambda: ", ".join(gettext(label) for label in GRADE_BANDS.values()), str)(),
            )
        },
    )

    def __init__(self, *args: Any, facets: CatalogFacets, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issuer_field = self.fields["issuer"]
        standard_field = self.fields["standard"]
        assert isinstance(issuer_field, forms.ChoiceField)
        assert isinstance(standard_field, forms.ChoiceField)
        issuer_field.choices = [("", _("Any issuer")), *((issuer.slug, issuer.name) for issuer in facets.issuers)]
        standard_field.choices = [
            ("", _("Any standard")),
            *(
                (option.framework, [(a.code, f"{a.code}: {a.title}") for a in option.alignments])
                for option in facets.standards
            ),
        ]

    def filters(self) -> CatalogFilters:
        """The valid filters only: an invalid one is reported and left out, the others still apply."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return CatalogFilters(
            q=(data.get("q") or "").strip(),
            issuer=data.get("issuer") or "",
            standard=data.get("standard") or "",
            grade_band=data.get("grade_band") or "",
        )

    @property
    def is_filtered(self) -> bool:
        filters = self.filters()
        return bool(filters.q or filters.issuer or filters.standard or filters.grade_band)
