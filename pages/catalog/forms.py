from __future__ import annotations

from typing import Any

from django import forms

from catalog.schema import GRADE_BANDS
from catalog.selectors import MAX_QUERY_LENGTH, CatalogFacets, CatalogFilters


class CatalogFilterForm(forms.Form):
    """The list page's search and filters; choices come from what is published, so a stale link is told so."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.SearchInput,
        help_text="Words from the title, summary, issuer, competency or standards.",
        error_messages={"max_length": "Search for at most %(limit_value)d characters; you typed %(show_value)d."},
    )
    issuer = forms.ChoiceField(
        label="Issuer",
        required=False,
        error_messages={
            "invalid_choice": "Choose an issuer from the list; “%(value)s” does not publish credentials here."
        },
    )
    standard = forms.ChoiceField(
        label="Standard",
        required=False,
        error_messages={"invalid_choice": "Choose a standard from the list; no credential is aligned to “%(value)s”."},
    )
    grade_band = forms.ChoiceField(
        label="Grade band",
        required=False,
        choices=[("", "Any grade band"), *GRADE_BANDS.items()],
        error_messages={
            "invalid_choice": "Choose a grade band from the list ("
            + ", ".join(GRADE_BANDS.values())
            + "); “%(value)s” is not one of them."
        },
    )

    def __init__(self, *args: Any, facets: CatalogFacets, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issuer_field = self.fields["issuer"]
        standard_field = self.fields["standard"]
        assert isinstance(issuer_field, forms.ChoiceField)
        assert isinstance(standard_field, forms.ChoiceField)
        issuer_field.choices = [("", "Any issuer"), *((issuer.slug, issuer.name) for issuer in facets.issuers)]
        standard_field.choices = [
            ("", "Any standard"),
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
