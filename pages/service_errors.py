"""A service's refusal shown on a page's form: each problem at the input it names, or above the form when it
names none of the form's inputs. The one way every page does this, so a refusal never turns into a 500 or a
message lost from the page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django import forms

from core.errors import FieldError


def form_errors_add(form: forms.BaseForm, errors: Sequence[FieldError], renames: Mapping[str, str] = {}) -> None:
    """Put each of the service's `errors` on `form`; `renames` maps a service's field name (the API's) to the
    form's where a page names the input otherwise."""
    for error in errors:
        name = renames.get(error.field, error.field)
        form.add_error(name if name in form.fields else None, error.message)
