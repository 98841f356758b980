"""The small plain forms around the generated editor: a new credential, a YAML import, publishing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from catalog.schema import SLUG

MAX_YAML_BYTES = 2 * 2**20


class NewCredentialForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        label=gettext_lazy("Title"),
        help_text=gettext_lazy("As the catalog will show it; you can change it later."),
    )
    slug = forms.RegexField(
        regex=SLUG,
        max_length=80,
        label=gettext_lazy("Slug"),
        help_text=gettext_lazy(
            "The credential's address: lowercase words joined by hyphens, such as 'lesson-planning'. "
            "It cannot change once the draft starts."
        ),
        error_messages={
            "invalid": gettext_lazy(
                "Use lowercase letters and digits in words joined by single hyphens, such as 'lesson-planning'."
            )
        },
    )

    def add_service_errors(self, errors: list[object]) -> None:
        for error in errors:
            field = getattr(error, "field", None)
            self.add_error(field if field in self.fields else None, str(getattr(error, "message", error)))


class YamlImportForm(forms.Form):
    file = forms.FileField(
        required=False, label="A YAML file", help_text="A definition exported from here, or a file from credentials/."
    )
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label=gettext_lazy("Or paste the YAML"),
        max_length=MAX_YAML_BYTES,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_YAML_BYTES:
                self.add_error("file", "is larger than 2 MB; a definition is far smaller: check it is the right file")
                return data
            try:
                data["yaml"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", "is not UTF-8 text; save it as UTF-8 and upload it again")
                return data
        elif data.get("text"):
            data["yaml"] = data["text"]
        else:
            self.add_error("file", "choose a YAML file, or paste the YAML below")
        return data


class PublishForm(forms.Form):
    overwrite = forms.BooleanField(
        required=False,
        label=gettext_lazy("Replace the version that became current after this draft started"),
        help_text=gettext_lazy("Only when you have compared them: its changes are not in this draft."),
    )
