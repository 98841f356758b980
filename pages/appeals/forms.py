"""The educator's appeal form: one optional reason per criterion that did not pass. The word limits and the
"at least one" rule are the service's (reviews.services.appeals), whose refusals land on the field they name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from core.errors import FieldError
from reviews.scores import MAX_COMMENT_CHARS
from reviews.services.appeals import MAX_REASON_WORDS, MIN_REASON_WORDS

TOO_LONG = gettext_lazy("Keep the reason under %(limit)d characters")


def field_name(criterion_id: str) -> str:
    return f"reason_{criterion_id}"


class AppealForm(forms.Form):
    def __init__(self, *args: Any, criteria: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for cid, title in self.criteria:
            self.fields[field_name(cid)] = forms.CharField(
                label=gettext_lazy("Your reason for contesting %(title)s") % {"title": title},
                help_text=gettext_lazy(
                    "Leave it empty if you do not contest this criterion. If you do, say what the reviewers "
                    "missed in your submission, in %(min)d to %(max)d words."
                )
                % {"min": MIN_REASON_WORDS, "max": MAX_REASON_WORDS},
                required=False,
                strip=True,
                max_length=MAX_COMMENT_CHARS,
                widget=forms.Textarea(attrs={"rows": 5}),
                error_messages={
                    "max_length": gettext_lazy("Keep the reason under %(limit)d characters")
                    % {"limit": MAX_COMMENT_CHARS}
                },
            )

    def reasons(self) -> dict[str, str]:
        return {cid: self.cleaned_data.get(field_name(cid), "") for cid, _ in self.criteria}

    def add_service_errors(self, errors: Sequence[FieldError]) -> None:
        """A refusal from the service, shown at the criterion it names (or above the form)."""
        for error in errors:
            name = field_name(error.field.removeprefix("reasons.")) if error.field.startswith("reasons.") else None
            self.add_error(name if name in self.fields else None, error.message[:1].upper() + error.message[1:])
