"""An issuer admin's Exports page: the filters (a date range, a credential, a version) and a download link for
each export in each format, and the downloads themselves.

Thin: the reads and their access check are workflow.exports (404 for anyone but the issuer's own admins and
platform admins), the files workflow.export_files (streamed past a few hundred rows).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET

from catalog.models import Issuer
from core.errors import FieldError, InvalidInput
from workflow.export_files import FORMATS, Format, export_response
from workflow.exports import (
    EXPORTS,
    ExportFilters,
    export_credentials,
    export_filters_check,
    export_table,
    exports_issuer_get,
)

FILTER_NAMES = ("date_from", "date_to", "credential", "version")


class ExportFilterForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The first day to include (each export's own date: submitted, decided, issued ...)."),
        error_messages={"invalid": gettext_lazy("Enter a date as YYYY-MM-DD, for example 2026-09-01")},
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The last day to include."),
        error_messages={"invalid": gettext_lazy("Enter a date as YYYY-MM-DD, for example 2026-12-31")},
    )
    credential = forms.ChoiceField(
        label=gettext_lazy("Credential"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose one of this issuer's credentials from the list")},
    )
    version = forms.IntegerField(
        label=gettext_lazy("Version"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text="A version number of the credential (1 is the first published). Leave empty for every version.",
        error_messages={
            "invalid": gettext_lazy("Enter a whole number, such as 2"),
            "min_value": gettext_lazy("Enter a version number of 1 or more"),
            "max_value": gettext_lazy("Enter a version number this credential has"),
        },
    )

    def __init__(self, *args: Any, credentials: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["credential"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [("", gettext("Every credential")), *((c["slug"], c["title"]) for c in credentials)]

    def filters(self) -> ExportFilters:
        data = self.cleaned_data
        return ExportFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            credential=data.get("credential") or None,
            version=data.get("version"),
        )

    def add_service_errors(self, errors: list[FieldError]) -> None:
        for error in errors:
            self.add_error(error.field if error.field in self.fields else None, error.message)


def _form(request: HttpRequest, issuer: Issuer) -> ExportFilterForm:
    bound = any(name in request.GET for name in FILTER_NAMES)
    return ExportFilterForm(request.GET if bound else None, credentials=export_credentials(issuer=issuer))


def _page(request: HttpRequest, issuer: Issuer, form: ExportFilterForm, filters: ExportFilters) -> HttpResponse:
    query = urlencode(filters.as_query())
    rows = [
        {
            "export": export,
            "links": [
                {
                    "format": fmt,
                    "url": reverse(f"issuers:export_{fmt}", args=[issuer.slug, export.name])
                    + (f"?{query}" if query else ""),
                }
                for fmt in FORMATS
            ],
        }
        for export in EXPORTS.values()
    ]
    context = {"issuer": issuer, "form": form, "rows": rows, "filtered": bool(query)}
    return render(request, "issuers/exports.html", context, status=422 if form.errors else 200)


@login_required
@require_GET
def exports(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = exports_issuer_get(user=request.user, slug=slug)
    form = _form(request, issuer)
    filters = ExportFilters()
    if form.is_bound and form.is_valid():
        filters = form.filters()
        try:
            export_filters_check(issuer=issuer, filters=filters)
        except InvalidInput as refusal:
            form.add_service_errors(refusal.errors)
            filters = ExportFilters()
    return _page(request, issuer, form, filters)


@login_required
@require_GET
def export_download(request: HttpRequest, slug: str, name: str, fmt: Format) -> HttpResponse | StreamingHttpResponse:
    issuer = exports_issuer_get(user=request.user, slug=slug)
    form = _form(request, issuer)
    if form.is_bound and not form.is_valid():
        return _page(request, issuer, form, ExportFilters())
    filters = form.filters() if form.is_bound else ExportFilters()
    try:
        table = export_table(user=request.user, slug=slug, name=name, filters=filters)
    except InvalidInput as refusal:
        form.add_service_errors(refusal.errors)
        return _page(request, issuer, form, ExportFilters())
    return export_response(table, fmt)
