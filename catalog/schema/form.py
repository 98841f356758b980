"""The submission form: its parts and the kinds of field an educator fills in."""

from __future__ import annotations

import re
from typing import Annotated, Literal

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
                f"min_words ({self.min_words}) is larger than max_words ({self.max_words}); make it smaller",
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
                raise ValueError(f"pattern is not a valid regular expression: {error}") from None
        return pattern


# A structured list's entries are made of simple fields only.
ItemField = Annotated[
    TextField | ChoiceField | DateField | ShortTextField | LinkField | ChecklistField,
    Field(discriminator="kind"),
]


class ListField(FieldBase):
    """Repeated structured entries, such as dated planning interactions."""

    kind: Literal["list"]
    item_label: Annotated[str, Field(min_length=1, max_length=100)] = "Entry"
    item_fields: Annotated[list[ItemField], Field(min_length=1)]
    min_items: Annotated[int, Field(ge=0)] = 0
    max_items: Annotated[int, Field(ge=1, le=200)] = 50

    @field_validator("item_fields")
    @classmethod
    def _unique_item_fields(cls, fields: list[ItemField]) -> list[ItemField]:
        _require_unique([f.id for f in fields], "item field id")
        return fields


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
