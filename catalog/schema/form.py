"""The submission form: its parts and the kinds of field an educator fills in."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from pydantic import Field, field_validator, model_validator

from catalog.schema.base import FileType, Ident, Markdown, SchemaProblem, Strict, _require_unique


class FieldBase(Strict):
    id: Ident
    label: Annotated[str, Field(min_length=1, max_length=300)]
    guidance: Markdown | None = None
    required: bool = True
    prompts: list[str] = []  # guiding questions shown beside the field
    draft: bool = False  # True where the platform wrote the question for the issuer to revise


class TextField(FieldBase):
    kind: Literal["text"]
    min_words: Annotated[int, Field(ge=0)] | None = None
    max_words: Annotated[int, Field(ge=1, le=20000)] | None = None
    multiline: bool = True
    contains_student_data: bool = False

    @model_validator(mode="after")
    def _limits_in_order(self) -> TextField:
        if self.min_words is not None and self.max_words is not None and self.min_words > self.max_words:
            raise SchemaProblem(
                _("min_words (%(min)s) is larger than max_words (%(max)s); make it smaller")
                % {"min": self.min_words, "max": self.max_words},
                at=("min_words",),
            )
        return self


class Option(Strict):
    id: Ident
    label: Annotated[str, Field(min_length=1, max_length=300)]
    description: str | None = None


class ChoiceField(FieldBase):
    kind: Literal["choice"]
    options: Annotated[list[Option], Field(min_length=2)]
    multiple: bool = False

    @field_validator("options")
    @classmethod
    def _unique_options(cls, options: list[Option]) -> list[Option]:
        _require_unique([o.id for o in options], "option id")
        return options


class ChecklistField(FieldBase):
    """Items the educator confirms one by one, e.g. the elements a lesson plan must include."""

    kind: Literal["checklist"]
    items: Annotated[list[Option], Field(min_length=1)]
    require_all: bool = True

    @field_validator("items")
    @classmethod
    def _unique_items(cls, items: list[Option]) -> list[Option]:
        _require_unique([o.id for o in items], "item id")
        return items


class FileField(FieldBase):
    kind: Literal["file"]
    accept: Annotated[list[FileType], Field(min_length=1)]
    max_size_mb: Annotated[float, Field(gt=0, le=200)] = 20
    max_files: Annotated[int, Field(ge=1, le=50)] = 5
    contains_student_data: bool = False


class LinkField(FieldBase):
    kind: Literal["link"]
    media: Literal["any", "audio", "video", "audio_or_video"] = "any"
    max_links: Annotated[int, Field(ge=1, le=20)] = 1


class DateField(FieldBase):
    kind: Literal["date"]
    # "today": the date records something that has happened (a lesson delivered, a conversation held), so
    # a date after today is refused when saved and blocks the completeness check.
    not_after: Literal["today"] | None = None


class ShortTextField(FieldBase):
    """One line, such as a class code; `pattern` (a regular expression) checks each value."""

    kind: Literal["short_text"]
    max_length: Annotated[int, Field(ge=1, le=500)] = 200
    pattern: str | None = None
    pattern_hint: str | None = None
    multiple: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(_("pattern is not a valid regular expression: %(error)s") % {"error": error}) from None
        return pattern


# A structured list's entries are made of simple fields only.
ItemField = Annotated[
    TextField | ChoiceField | DateField | ShortTextField | LinkField | ChecklistField,
    Field(discriminator="kind"),
]


class RequiredEach(Strict):
    """At least one confirmed entry for each of `values`, options of the list's choice item `item`."""

    item: Ident
    values: Annotated[list[Ident], Field(min_length=1)]


class Attestation(Strict):
    """Each entry may be confirmed by the collaborator it records, asked by email (submissions.attestations):
    they are shown the items in `show` and the educator's name, nothing else of the draft. A definition may
    require `required_confirmed` confirmed entries, and one confirmed entry per value of `required_each`."""

    show: Annotated[list[Ident], Field(min_length=1)]
    required_confirmed: Annotated[int, Field(ge=0, le=200)] = 0
    required_each: RequiredEach | None = None
    draft: bool = False  # True where the platform enabled it for the issuer to revise


class ListField(FieldBase):
    """Repeated structured entries, such as dated planning interactions."""

    kind: Literal["list"]
    item_label: Annotated[str, Field(min_length=1, max_length=100)] = "Entry"
    item_fields: Annotated[list[ItemField], Field(min_length=1)]
    min_items: Annotated[int, Field(ge=0)] = 0
    max_items: Annotated[int, Field(ge=1, le=200)] = 50
    attestation: Attestation | None = None

    @field_validator("item_fields")
    @classmethod
    def _unique_item_fields(cls, fields: list[ItemField]) -> list[ItemField]:
        _require_unique([f.id for f in fields], "item field id")
        return fields

    @model_validator(mode="after")
    def _attestation_names_items(self) -> ListField:
        rule = self.attestation
        if rule is None:
            return self
        items = {f.id: f for f in self.item_fields}
        _require_unique(rule.show, "shown item", at=("attestation", "show"), key=None)
        for index, item_id in enumerate(rule.show):
            item = items.get(item_id)
            if item is None:
                raise SchemaProblem(
                    _("%(item)s is not an item of this list; name one of: %(items)s")
                    % {"item": repr(item_id), "items": ", ".join(items)},
                    at=("attestation", "show", index),
                )
            # A collaborator is not entitled to student data: such an item is never shown to them.
            if getattr(item, "contains_student_data", False):
                raise SchemaProblem(
                    _("%(item)s contains student data, which a collaborator may not see; leave it out of show")
                    % {"item": repr(item_id)},
                    at=("attestation", "show", index),
                )
        if rule.required_confirmed > self.max_items:
            raise SchemaProblem(
                _("required_confirmed (%(count)s) is more than max_items (%(max)s)")
                % {"count": rule.required_confirmed, "max": self.max_items},
                at=("attestation", "required_confirmed"),
            )
        each = rule.required_each
        if each is not None:
            choice = items.get(each.item)
            if not isinstance(choice, ChoiceField):
                raise SchemaProblem(
                    _("%(item)s is not a choice item of this list; name the choice the values come from")
                    % {"item": repr(each.item)},
                    at=("attestation", "required_each", "item"),
                )
            options = [o.id for o in choice.options]
            _require_unique(each.values, "value", at=("attestation", "required_each", "values"), key=None)
            for index, value in enumerate(each.values):
                if value not in options:
                    raise SchemaProblem(
                        _("%(value)s is not an option of %(item)s; choose from: %(options)s")
                        % {"value": repr(value), "item": repr(each.item), "options": ", ".join(options)},
                        at=("attestation", "required_each", "values", index),
                    )
        return self


SubmissionField = Annotated[
    TextField | ChoiceField | ChecklistField | FileField | LinkField | DateField | ShortTextField | ListField,
    Field(discriminator="kind"),
]


class Part(Strict):
    id: Ident
    title: Annotated[str, Field(min_length=1, max_length=200)]
    intro: Markdown | None = None
    optional: bool = False
    fields: Annotated[list[SubmissionField], Field(min_length=1)]

    @field_validator("fields")
    @classmethod
    def _unique_fields(cls, fields: list[SubmissionField]) -> list[SubmissionField]:
        _require_unique([f.id for f in fields], "field id")
        return fields
