"""Completeness checks: declarative, run on demand and on submit.

A field is referenced as "part_id.field_id"; an item field of a list as "part_id.field_id.item_id"."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from catalog.schema.base import Ident, Strict


class CheckBase(Strict):
    id: Ident
    message: Annotated[str, Field(min_length=1, max_length=500)]  # what to do, in the educator's terms
    severity: Literal["blocking", "advisory"] = "blocking"
    draft: bool = False  # True where the platform wrote the rule (or its wording) for the issuer to revise


class EachOfCheck(CheckBase):
    """A list holds at least `min` entries whose `item` choice equals each of `values`."""

    kind: Literal["list_has_each"]
    field: str
    item: str
    values: Annotated[list[str], Field(min_length=1)]
    min: Annotated[int, Field(ge=1)] = 1


class DatesBeforeCheck(CheckBase):
    """Every date in a list (or a date field) falls at least `days` days before another date field."""

    kind: Literal["dates_before"]
    field: str  # a date field or a list's date item: "part.list.item"
    before: str  # a date field
    days: Annotated[int, Field(ge=0)] = 0
    which: Literal["all", "earliest"] = "all"


class OneOfCheck(CheckBase):
    """At least one of several fields has a value (e.g. a reflection as text, audio or video)."""

    kind: Literal["at_least_one"]
    fields: Annotated[list[str], Field(min_length=2)]
    only_if_any: bool = False  # True for an optional part: only checked once something in it is filled in


class RecentCheck(CheckBase):
    """A draft's text was first written within `days` of a date field (advisory by nature)."""

    kind: Literal["written_within"]
    field: str
    after: str
    days: Annotated[int, Field(ge=0)] = 1


Check = Annotated[EachOfCheck | DatesBeforeCheck | OneOfCheck | RecentCheck, Field(discriminator="kind")]
